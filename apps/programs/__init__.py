"""MCN agencies and contracts, growth programs and the Creator Academy (product layer)."""
