"""The Textual workstation: one module per screen, its stylesheet beside it."""
