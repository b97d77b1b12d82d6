"""Stores, products, selection pool, links, orders, commissions (product layer, not installed)."""
