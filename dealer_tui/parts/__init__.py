"""Parts: the catalogue, stock per branch, reservations and expected deliveries."""
