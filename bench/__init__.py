"""Speed benchmarks of the workstation: `python -m bench.run` runs them all."""
