"""Batch commands: the `dealer` command line. Never imports the UI at load."""
