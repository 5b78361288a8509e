"""The plan of a dialogue: which calls, which values, which edges (no wording)."""
