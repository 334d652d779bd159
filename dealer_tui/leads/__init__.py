"""Leads: suspects, prospects, qualification, ranking and follow-up."""
