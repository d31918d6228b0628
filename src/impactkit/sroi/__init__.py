"""sroi."""
