"""Fries paid note promotion: orders, quotes, pacing, billing (product layer, not installed)."""
