"""Live rooms, stream hooks, chat, shelves and live reports (product layer; not installed yet)."""
