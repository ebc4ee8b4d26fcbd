"""Synthetic sample contracts, supplier deliveries and benchmark data (see README.md)."""
