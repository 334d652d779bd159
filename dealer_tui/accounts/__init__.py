"""Accounts: the dealer's customers and their contacts."""
