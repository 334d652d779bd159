"""The demo dealership and synthetic data for it."""
