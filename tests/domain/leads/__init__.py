"""Tests of lead qualification, ranking and duplicate detection."""
