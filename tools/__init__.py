"""Build tools for the kit (decks); not part of the numeric core."""
