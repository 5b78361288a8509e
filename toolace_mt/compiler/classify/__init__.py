"""Each tool bound to a table and given a kind (see `classifier` for the order of passes)."""

from toolace_mt.compiler.classify.classifier import classify

__all__ = ["classify"]
