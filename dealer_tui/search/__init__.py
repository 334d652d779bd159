"""Global search: one box that finds customers, vehicles and documents."""
