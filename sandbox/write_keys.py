"""Which rows a write statement can change, read from its SQL text.

The state store keeps, per table version, the keys of the rows a commit changed, so a
restore rewrites only those rows and a hash rehashes only those rows. Most env writes
name one row by its primary key (`UPDATE orders SET status = ? WHERE order_id = ?`);
for those the key is read from the statement's parameters. Anything else (another
WHERE, a literal key, a RETURNING, an INSERT statement, `$1` parameters, an alias, a
schema prefix) says "any row of the target table", and the store falls back to whole-
table work: a shape it does not recognise costs time, never correctness.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class WriteShape:
    """What a write statement targets.

    `table` is None when the target is not recognised (then every table the text names
    counts as changed); `key_params` maps each primary-key column to the index of the `?`
    parameter that holds its value, or is None when any row of `table` may change.
    """

    table: str | None
    key_params: dict[str, int] | None = None


def _word(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text.lower()


def write_shape(sql: str, primary_keys: dict[str, tuple[str, ...]]) -> WriteShape:
    """The shape of one INSERT/UPDATE/DELETE statement on the env's tables (by lower-case name)."""
    try:
        raw = duckdb.tokenize(sql)
    except duckdb.Error:
        return WriteShape(None)
    tokens: list[tuple[str, str, int, int]] = []  # (text, kind, start, end)
    for index, (start, kind) in enumerate(raw):
        end = raw[index + 1][0] if index + 1 < len(raw) else len(sql)
        text = sql[start:end].rstrip()
        if kind != duckdb.token_type.comment:
            tokens.append((text, str(kind).rsplit(".", 1)[-1], start, start + len(text)))
    words = [t[0].lower() for t in tokens]
    if not words:
        return WriteShape(None)
    if words[0] == "insert":
        into = words.index("into") if "into" in words else -1
        return _target(tokens, into + 1, primary_keys) if into > 0 else WriteShape(None)
    if words[0] == "update":
        position, body = 1, 3
    elif words[:2] == ["delete", "from"]:
        position, body = 2, 3
    else:
        return WriteShape(None)
    target = _target(tokens, position, primary_keys)
    if target.table is None:
        return target
    after = words[position + 1] if position + 1 < len(words) else ""
    if (words[0] == "update" and after != "set") or (words[0] == "delete" and after not in ("where", ";", "")):
        return WriteShape(target.table)  # an alias or a USING clause: not a plain one-table write
    return WriteShape(target.table, _key_params(tokens, body, primary_keys[target.table]))


def _target(tokens: list[tuple[str, str, int, int]], position: int,
            primary_keys: dict[str, tuple[str, ...]]) -> WriteShape:
    if position >= len(tokens) or tokens[position][1] != "identifier":
        return WriteShape(None)
    if position + 1 < len(tokens) and tokens[position + 1][0] == ".":
        return WriteShape(None)  # schema-qualified: not one of the env's plain table names
    name = _word(tokens[position][0]).lower()
    return WriteShape(name) if name in primary_keys else WriteShape(None)


def _key_params(tokens: list[tuple[str, str, int, int]], body: int,
                key: tuple[str, ...]) -> dict[str, int] | None:
    """{key column: parameter index} if the statement ends `WHERE k1 = ? AND k2 = ?`, else None."""
    depth, where = 0, -1
    for index in range(body, len(tokens)):
        text, kind = tokens[index][0], tokens[index][1]
        if kind == "operator" and ("$" in text or ("?" in text and text != "?") or (
                text == "?" and index + 1 < len(tokens) and tokens[index + 1][2] == tokens[index][3]
                and tokens[index + 1][1] == "numeric_const")):
            return None  # numbered or named parameters: indexes are not positions
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and kind == "keyword" and text.lower() in ("where", "from", "returning", "using"):
            if text.lower() != "where" or where >= 0:
                return None
            where = index
    if where < 0:
        return None
    columns = {c.lower() for c in key}
    # A SET that names a key column may move the row to another key.
    if any(t[1] == "identifier" and _word(t[0]).lower() in columns for t in tokens[body:where]):
        return None
    tail = tokens[where + 1:]
    if tail and tail[-1][0] == ";":
        tail = tail[:-1]
    param = sum(1 for t in tokens[:where + 1] if t[0] == "?")
    found: dict[str, int] = {}
    index = 0
    while True:  # k = ? [AND k = ? ...]
        if index + 3 > len(tail):
            return None
        name, equals, value = tail[index:index + 3]
        column = _word(name[0]).lower()
        if name[1] != "identifier" or equals[0] != "=" or value[0] != "?" or column not in columns or column in found:
            return None
        found[column] = param
        param += 1
        index += 3
        if index == len(tail):
            break
        if tail[index][0].lower() != "and":
            return None
        index += 1
    if set(found) != columns:
        return None
    return {c: found[c.lower()] for c in key}
