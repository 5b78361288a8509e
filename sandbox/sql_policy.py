"""Which SQL an env's code may run: one SELECT/INSERT/UPDATE/DELETE on its own tables.

Checked in the engine before DuckDB sees the statement. Decisions are cached per SQL
text, since tools run the same few statements over and over.
"""

from __future__ import annotations

import re

import duckdb

READ_TYPES = frozenset({duckdb.StatementType.SELECT})
WRITE_TYPES = frozenset({duckdb.StatementType.INSERT, duckdb.StatementType.UPDATE, duckdb.StatementType.DELETE})

HIDDEN_SCHEMA = "__toolace"
_DENIED_SCHEMAS = frozenset({HIDDEN_SCHEMA, "information_schema", "pg_catalog", "system", "temp"})
# Names a statement may not mention (unless a table or column of the env has that
# name): functions that run SQL given as text, read files or the catalog, and
# functions whose value is not a function of the state (clock, randomness), which
# would make a replay differ.
_DENIED_NAMES = frozenset({
    "query", "query_table", "getvariable", "current_setting", "getenv", "show", "describe", "summarize",
    "random", "setseed", "gen_random_uuid", "uuid", "uuidv4", "uuidv7", "now", "today", "current_date",
    "current_time", "current_timestamp", "get_current_time", "get_current_timestamp",
    "transaction_timestamp", "localtime", "localtimestamp", "current_localtime", "current_localtimestamp",
    "sqlite_master", "sqlite_schema",
})
_DENIED_PREFIXES = ("duckdb_", "pragma_", "pg_", "read_", "sniff_", "glob", "parquet_", "iceberg_", "delta_",
                    "sqlite_")
# Verdicts are cached for statements up to this many characters only: a hostile module
# could otherwise fill the caches with megabyte-long statements (4096 x 1 MB).
MAX_CACHED_SQL = 4096
_WORD = re.compile(r'"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*)')


class PolicyViolation(Exception):
    """The statement is not allowed; the message says why."""


class SqlPolicy:
    """Checks statements; caches the verdict per SQL text."""

    def __init__(self, env_names: frozenset[str] = frozenset(), tables: tuple[str, ...] = ()) -> None:
        self._env_names = env_names  # the env's table and column names (lower case)
        self._tables = tables  # the env's table names, as declared
        self._cache: dict[str, tuple[bool, str | None]] = {}
        self._named: dict[str, tuple[str, ...]] = {}

    def tables_named(self, sql: str) -> tuple[str, ...]:
        """The env tables a statement names, so may read (a column named like a table
        counts too: more than read is safe). Only named tables can be reached: the
        policy denies the functions that read a table given as text."""
        named = self._named.get(sql)
        if named is None:
            said = set(words(sql))
            named = tuple(t for t in self._tables if t.lower() in said)
            if len(self._named) < 4096 and len(sql) <= MAX_CACHED_SQL:
                self._named[sql] = named
        return named

    def check(self, sql: str, writes_allowed: bool) -> bool:
        """Return whether the statement writes; raise PolicyViolation if not allowed."""
        verdict = self._cache.get(sql)
        if verdict is None:
            verdict = self._judge(sql)
            if len(self._cache) < 4096 and len(sql) <= MAX_CACHED_SQL:
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
        problem = check_tokens(sql, self._env_names)
        if problem is not None:
            return False, problem
        return kind in WRITE_TYPES, None


def words(sql: str) -> list[str]:
    """The statement's identifiers and keywords, lower case, quotes removed."""
    found = []
    tokens = duckdb.tokenize(sql)
    for index, (start, kind) in enumerate(tokens):
        if kind not in (duckdb.token_type.identifier, duckdb.token_type.keyword):
            continue
        end = tokens[index + 1][0] if index + 1 < len(tokens) else len(sql)
        match = _WORD.match(sql, start, end)
        if match is not None:
            found.append((match.group(1).replace('""', '"') if match.group(1) is not None else match.group(2)).lower())
    return found


def check_tokens(sql: str, env_names: frozenset[str] = frozenset(), names: bool = True) -> str | None:
    """Reject any other schema than the env's, and (with `names`) the denied names.

    The env's tables are the only tables in DuckDB's `main` schema; the engine keeps its
    snapshots in HIDDEN_SCHEMA. Without a schema name or a denied function a statement
    can only reach `main`, so a scan of the identifiers is enough to confine it.
    """
    for word in words(sql):
        if word in _DENIED_SCHEMAS:
            return f"schema {word} is not accessible from env SQL"
        if names and word not in env_names and (word in _DENIED_NAMES or word.startswith(_DENIED_PREFIXES)):
            return f"{word} is not allowed in env SQL (it reads outside the env's tables or is not replayable)"
    return None
