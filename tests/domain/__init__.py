"""Tests of the pure domain rules, one folder per business area."""
