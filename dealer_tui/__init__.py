"""Dealer workstation: a keyboard-driven terminal system for truck dealerships."""

__version__ = "0.1.0"
