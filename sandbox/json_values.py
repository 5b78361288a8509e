"""DuckDB values as JSON values: what tools, diffs and records see."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

_NATIVE = (str, int, float, bool, type(None))


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
