"""MCN agencies and contracts, growth programs, academy (product layer; not installed yet)."""
