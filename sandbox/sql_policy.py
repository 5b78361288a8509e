"""Which SQL an env's code may run: one SELECT/INSERT/UPDATE/DELETE on its own tables.

Checked in the engine before DuckDB sees the statement. Decisions are cached per SQL
text, since tools run the same few statements over and over.
"""

from __future__ import annotations

import duckdb

READ_TYPES = frozenset({duckdb.StatementType.SELECT})
WRITE_TYPES = frozenset({duckdb.StatementType.INSERT, duckdb.StatementType.UPDATE, duckdb.StatementType.DELETE})

# Table functions that run SQL given as a string, read files or expose the catalog:
# they would let a statement reach what the schema check cannot see.
_DENIED_FUNCTIONS = frozenset({"query", "query_table", "getvariable", "current_setting"})
HIDDEN_SCHEMA = "__toolace"
_DENIED_SCHEMAS = frozenset({HIDDEN_SCHEMA, "information_schema", "pg_catalog", "system", "temp"})
_DENIED_PREFIXES = ("duckdb_", "pragma_", "read_", "sniff_", "glob", "parquet_", "iceberg_", "delta_")


class PolicyViolation(Exception):
    """The statement is not allowed; the message says why."""


class SqlPolicy:
    """Checks statements; caches the verdict per SQL text."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[bool, str | None]] = {}

    def check(self, sql: str, writes_allowed: bool) -> bool:
        """Return whether the statement writes; raise PolicyViolation if not allowed."""
        verdict = self._cache.get(sql)
        if verdict is None:
            verdict = self._judge(sql)
            if len(self._cache) < 4096:
                self._cache[sql] = verdict
        writes, problem = verdict
        if problem is not None:
            raise PolicyViolation(problem)
        if writes and not writes_allowed:
            raise PolicyViolation("this tool is read-only (declare it with @tool(writes=True) to change state)")
        return writes

    def _judge(self, sql: str) -> tuple[bool, str | None]:
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error:
            return False, None  # DuckDB itself reports the syntax error when it runs
        if len(statements) != 1:
            return False, f"exactly one SQL statement per call is allowed, got {len(statements)}"
        kind = statements[0].type
        if kind not in READ_TYPES and kind not in WRITE_TYPES:
            return False, f"{kind.name} statements are not allowed; only SELECT, INSERT, UPDATE and DELETE"
        problem = check_tokens(sql)
        if problem is not None:
            return False, problem
        return kind in WRITE_TYPES, None


def check_tokens(sql: str) -> str | None:
    """Reject calls of denied functions and any name of a schema other than the env's.

    The env's tables are the only tables in DuckDB's `main` schema; the engine keeps its
    snapshots in HIDDEN_SCHEMA. Without a schema name (or a denied function) a statement
    can only reach `main`, so a token scan is enough to confine it.
    """
    tokens = duckdb.tokenize(sql)
    for index, (start, kind) in enumerate(tokens):
        if kind not in (duckdb.token_type.identifier, duckdb.token_type.keyword):
            continue
        end = tokens[index + 1][0] if index + 1 < len(tokens) else len(sql)
        word = sql[start:end].strip().strip('"').lower()
        if word in _DENIED_SCHEMAS:
            return f"schema {word} is not accessible from env SQL"
        following = sql[end:end + 1] if index + 1 < len(tokens) else ""
        if following == "(" and (word in _DENIED_FUNCTIONS or word.startswith(_DENIED_PREFIXES)):
            return f"function {word}() is not allowed in env SQL"
    return None
