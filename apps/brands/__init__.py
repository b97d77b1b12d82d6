"""Brands, rate cards, campaigns and cooperations (product layer; not installed yet)."""
