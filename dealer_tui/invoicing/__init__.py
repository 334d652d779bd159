"""Invoicing: tax invoices, credit notes, payments and batch runs."""
