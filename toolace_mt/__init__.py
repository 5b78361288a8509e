"""toolace-mt: verified multi-turn tool-use dialogue generation."""
