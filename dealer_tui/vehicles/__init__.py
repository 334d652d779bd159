"""Vehicles: trucks and trailers the dealer sells and services."""
