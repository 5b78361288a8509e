"""Small pieces of generated Python source: literals, numbers, a dict return."""

from __future__ import annotations

DEFAULTS = {"string": '""', "integer": "0", "number": "0.0", "boolean": "False", "array": "[]", "object": "{}"}


def q(text: str) -> str:
    """A Python string literal."""
    return repr(text)


def num(value: float) -> str:
    """A number as source: 5 rather than 5.0."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def dict_return(items: list[str]) -> list[str]:
    """`return {...}` on one line when short, else one item a line."""
    if sum(len(i) for i in items) < 80:
        return ["return {" + ", ".join(items) + "}"]
    return ["return {", *[f"    {i}," for i in items], "}"]


def message(text: str) -> str:
    """The line setting MESSAGE, which output fields named message/result show."""
    return f"MESSAGE = f{q(text)}"
