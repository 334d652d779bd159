"""Tests of the workshop calendar, the slot finder and utilisation."""
