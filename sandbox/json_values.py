"""DuckDB values as JSON values: what tools, diffs and records see."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

_NATIVE = (str, int, float, bool, type(None))
# Python writes and reads at most 4300 digits of an integer (sys.int_info); 14000 bits
# stay below that, so a value that passes can always be written and read back.
MAX_INT_BITS = 14_000


def json_value(value: Any) -> Any:
    """DATE -> "YYYY-MM-DD", TIMESTAMP -> ISO 8601, DECIMAL -> float, nested recursively."""
    if isinstance(value, _NATIVE):
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (uuid.UUID, dt.timedelta)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    raise TypeError(f"value of type {type(value).__name__} has no JSON form")


def json_rows(columns: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        record = {}
        for name, value in zip(columns, row, strict=True):
            record[name] = value if isinstance(value, _NATIVE) else json_value(value)
        out.append(record)
    return out


def nesting_problem(value: Any, max_depth: int) -> str | None:
    """Why a parsed JSON value nests too deeply (lists and objects), or None.

    Iterative, level by level, so a value nested past the interpreter's recursion limit
    is measured instead of raising RecursionError in whatever walks it next.
    """
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return f"nested deeper than {max_depth} levels"
        below = []
        for item in level:
            for child in (item.values() if type(item) is dict else item):
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
    return None


def strict_json_problem(value: Any, max_depth: int, max_values: int | None = None,
                        max_chars: int | None = None) -> str | None:
    """Why `value` is not strict JSON data, or None: only dict (str keys), list, str, int,
    finite float, bool and None, strings that are valid Unicode (no lone surrogates), and
    at most `max_depth` levels of nesting. What the protocol and the records can carry.
    With `max_values`/`max_chars`: also at most that many values, and characters of text
    (keys included), in all."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    values = chars = 0
    while stack:
        item, depth, where = stack.pop()
        kind = type(item)
        values += 1
        if max_values is not None and values > max_values:
            return f"holds more than {max_values} values"
        if kind is str:
            chars += len(item)
            if max_chars is not None and chars > max_chars:
                return f"holds more than {max_chars} characters of text"
            problem = text_problem(item)
            if problem is not None:
                return f"{where or 'value'}: {problem}"
        elif kind is float:
            if item != item or item in (float("inf"), float("-inf")):
                return f"{where or 'value'}: {item!r} is not a JSON number"
        elif kind is dict or kind is list:
            if depth >= max_depth:
                return f"{where or 'value'}: nested deeper than {max_depth} levels"
            if kind is dict:
                for key, child in item.items():
                    if type(key) is not str:
                        return f"{where or 'value'}: key {key!r} is not a string"
                    chars += len(key)
                    if max_chars is not None and chars > max_chars:
                        return f"holds more than {max_chars} characters of text"
                    problem = text_problem(key)
                    if problem is not None:
                        return f"{where or 'value'}: a key {problem}"
                    stack.append((child, depth + 1, f"{where}.{key}" if where else key))
            else:
                stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(item))
        elif kind is int:
            if item.bit_length() > MAX_INT_BITS:
                return f"{where or 'value'}: an integer of more than {MAX_INT_BITS} bits cannot be written as JSON text"
        elif kind is not bool and item is not None:
            return f"{where or 'value'}: a {kind.__name__} is not JSON data"
    return None


def text_problem(text: str) -> str | None:
    """Why a str cannot be written as UTF-8 (a lone surrogate such as '\\ud800'), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"holds a lone surrogate ({text[exc.start]!r} at {exc.start}), which is not valid Unicode text"
    return None


def clean_text(text: str, max_chars: int) -> str:
    """`text` made safe to carry: lone surrogates replaced, at most `max_chars` characters."""
    if len(text) > max_chars:
        suffix = f"... [{len(text)} characters, cut]"
        text = text[:max(0, max_chars - len(suffix))] + suffix
    if text_problem(text) is not None:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text
