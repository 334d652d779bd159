"""Speed benchmarks of the workstation: `python -m bench.run` runs them all."""

# The workstation's own settings (its screen's frame rate) are made before
# any benchmark loads Textual, so the screens run as the workstation does.
import dealer_tui.ui  # noqa: F401
