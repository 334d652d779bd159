"""The Textual workstation: one module per screen, its stylesheet beside it."""

import os

# The screen refreshes at most this often.  Rows that arrive just after a
# refresh wait for the next one: at 120 a second that wait is at most 8 ms
# instead of 17 ms, and an idle screen refreshes no more often than before.
# Set here, before any screen module loads Textual, which reads it once;
# a TEXTUAL_FPS the user set is kept.
os.environ.setdefault("TEXTUAL_FPS", "120")
