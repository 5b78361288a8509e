"""Which SQL an env's code may run: one SELECT/INSERT/UPDATE/DELETE on its own tables.

Checked in the engine before DuckDB sees the statement, on DuckDB's own tokens (so
quoting, casing and comments cannot hide a name). It is an allow-list:
- statement types: SELECT for reads, INSERT/UPDATE/DELETE for write tools;
- every name called as a function (`name(`, also `x.name(` and `name /**/ (`) must be
  in sandbox/sql_functions.txt (pure scalar, aggregate and window functions, and the
  table functions unnest/range/generate_series/json_each/json_tree); range and
  generate_series only as a table (right after FROM, JOIN or LATERAL): called as a scalar
  they build one list DuckDB cannot interrupt (see sql_functions.txt);
- a bare name may not be a schema or database (snapshots live in a hidden schema), a
  catalog view, or a function DuckDB would call without parentheses (current_date,
  current_user, ...), unless the env has a table or column of that name; never the
  pseudo-column rowid (where a row is stored: a restore moves rows, the state stays);
- no sampling (USING SAMPLE, TABLESAMPLE) and no DESCRIBE/SHOW/SUMMARIZE: they read
  the catalog or differ between runs.
Decisions are cached per SQL text, since tools run the same few statements over and over.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import duckdb

READ_TYPES = frozenset({duckdb.StatementType.SELECT})
WRITE_TYPES = frozenset({duckdb.StatementType.INSERT, duckdb.StatementType.UPDATE, duckdb.StatementType.DELETE})

HIDDEN_SCHEMA = "__toolace"
_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_QUOTED_WORD = re.compile(r'"((?:[^"]|"")*)"')
_OPENING_PAREN = re.compile(rb"\s*\(")
_WORD_KINDS = (duckdb.token_type.identifier, duckdb.token_type.keyword)
# Keywords that read the catalog or sample rows (a sample differs between runs).
_DENIED_KEYWORDS = frozenset({"describe", "show", "summarize", "tablesample", "pragma"})
# SQL's special names DuckDB evaluates without parentheses (not all are catalog functions).
# Those of them that read the clock: never an env's table or column name (sandbox.ddl_policy).
CLOCK_VALUES = frozenset({"current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"})
_SPECIAL_VALUES = frozenset({
    "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp", "current_user",
    "session_user", "user", "current_role", "current_catalog", "current_schema",
})
# Pseudo-columns: where a row is stored, which a restore changes while the state (and its
# hash) is the same, so a read of them would not replay. Never an env's name (ddl_policy).
PSEUDO_COLUMNS = frozenset({"rowid"})
# Table functions that, called as scalars, build one list of any size in a single call.
_TABLE_ONLY = frozenset({"range", "generate_series"})
_TABLE_POSITION = frozenset({"from", "join", "lateral"})
_CACHE_ENTRIES = 4096
_CACHE_BYTES = 4 * 1024 * 1024  # of SQL text kept as keys, per cache: hostile SQL can be long
# Verdicts are cached for statements up to this many characters only: a long statement
# is rare in a real tool, and one would take a large share of the byte budget.
MAX_CACHED_SQL = 4096


class PolicyViolation(Exception):
    """The statement is not allowed; the message says why."""


@dataclass(frozen=True)
class Word:
    """An identifier or keyword of a statement: its name (lower case, unquoted)."""

    name: str
    quoted: bool
    called: bool  # followed by "(": a function, table function or macro call


@functools.cache
def allowed_functions() -> frozenset[str]:
    text = resources.files("sandbox").joinpath("sql_functions.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Catalog:
    """Names DuckDB resolves besides the env's tables (read once from an empty database)."""

    functions: frozenset[str]  # every function, table function and macro
    relations: frozenset[str]  # catalog views and tables (duckdb_tables, sqlite_master, ...)
    schemas: frozenset[str]  # schemas and databases other than main/memory, and the hidden one
    bare_relations: frozenset[str]  # the relations a bare name reaches (FROM pg_tables, FROM duckdb_tables)


@functools.cache
def catalog() -> Catalog:
    connection = duckdb.connect(":memory:", config={"enable_external_access": False})
    try:
        functions = {r[0].lower() for r in connection.execute(
            "SELECT function_name FROM duckdb_functions()").fetchall()}
        relations = {r[0].lower() for r in connection.execute(
            "SELECT view_name FROM duckdb_views() UNION SELECT table_name FROM duckdb_tables()").fetchall()}
        schemas = {r[0].lower() for r in connection.execute(
            "SELECT schema_name FROM duckdb_schemas() UNION SELECT database_name FROM duckdb_databases()").fetchall()}
        bare = set()
        for name in relations:
            try:
                connection.execute(f'SELECT 1 FROM "{name}" LIMIT 0')
                bare.add(name)
            except duckdb.Error:
                pass
    finally:
        connection.close()
    return Catalog(frozenset(functions), frozenset(relations),
                   frozenset((schemas - {"main", "memory"}) | {HIDDEN_SCHEMA}), frozenset(bare))


def statement_words(sql: str) -> list[Word]:
    """The statement's identifiers and keywords, in order; PolicyViolation for a name
    that is neither a plain nor a double-quoted identifier.

    duckdb.tokenize gives BYTE offsets into the UTF-8 text: the text is sliced as bytes.
    """
    data = sql.encode("utf-8", "surrogatepass")
    tokens = duckdb.tokenize(sql)
    ends = [t[0] for t in tokens[1:]] + [len(data)]
    significant = [i for i, t in enumerate(tokens) if t[1] != duckdb.token_type.comment]
    found: list[Word] = []
    for place, index in enumerate(significant):
        start, kind = tokens[index]
        if kind not in _WORD_KINDS:
            continue
        text = data[start:ends[index]].decode("utf-8", "replace").strip()
        quoted = _QUOTED_WORD.fullmatch(text)
        if quoted is not None:
            name = quoted.group(1).replace('""', '"')
        elif _PLAIN_WORD.fullmatch(text):
            name = text
        else:
            raise PolicyViolation(f"unrecognised name {text[:40]!r} in env SQL (use plain ASCII identifiers)")
        # Matched in place: a slice to the end for every word made long statements quadratic.
        called = place + 1 < len(significant) and \
            _OPENING_PAREN.match(data, tokens[significant[place + 1]][0]) is not None
        found.append(Word(name.lower(), quoted is not None, called))
    return found


def words(sql: str) -> list[str]:
    """The statement's identifiers and keywords, lower case, quotes removed."""
    return [w.name for w in statement_words(sql)]


def check_words(sql: str, env_names: frozenset[str] = frozenset()) -> str | None:
    """The reason the statement's names are not allowed (see the module docstring), or None."""
    known = catalog()
    allowed = allowed_functions()
    previous = ""
    for word in statement_words(sql):
        name = word.name
        if name in known.schemas:
            return f"schema {name} is not accessible from env SQL"
        if name in PSEUDO_COLUMNS:
            return f"{name} is not allowed in env SQL (where a row is stored changes on a restore; it does not replay)"
        if word.called:
            if name in known.functions and name not in allowed:
                return f"{name} is not allowed in env SQL (it reads outside the env's tables, is not replayable " \
                       "or can run past the time limit)"
            if name in _TABLE_ONLY and previous not in _TABLE_POSITION:
                return f"{name}(...) is allowed in env SQL only as a table (FROM {name}(n) or JOIN {name}(n)): " \
                       "as a value it builds one list the time limit cannot stop"
        elif name not in env_names and (name in _SPECIAL_VALUES or name in known.relations
                                        or (name in known.functions and name not in allowed)):
            return f"{name} is not allowed in env SQL (it reads outside the env's tables or is not replayable)"
        if not word.quoted and (name in _DENIED_KEYWORDS or (name == "sample" and previous == "using")):
            what = "USING SAMPLE" if name == "sample" else name.upper()
            return f"{what} is not allowed in env SQL (it reads the catalog or differs between runs)"
        previous = name
    return None


class SqlPolicy:
    """Checks statements; caches the verdict per SQL text."""

    def __init__(self, env_names: frozenset[str] = frozenset(), tables: tuple[str, ...] = ()) -> None:
        self._env_names = env_names  # the env's table and column names (lower case)
        self._tables = tables  # the env's table names, as declared
        self._cache: dict[str, tuple[bool, str | None]] = {}
        self._named: dict[str, tuple[str, ...]] = {}
        self._cache_bytes = 0
        self._named_bytes = 0

    def tables_named(self, sql: str) -> tuple[str, ...]:
        """The env tables a statement names, so may read (a column named like a table
        counts too: more than read is safe). Only named tables can be reached: the
        policy denies the functions that read a table given as text."""
        named = self._named.get(sql)
        if named is None:
            try:
                said = set(words(sql))
            except PolicyViolation:
                said = {t.lower() for t in self._tables}
            named = tuple(t for t in self._tables if t.lower() in said)
            if (len(sql) <= MAX_CACHED_SQL and len(self._named) < _CACHE_ENTRIES
                    and self._named_bytes + len(sql) <= _CACHE_BYTES):
                self._named[sql] = named
                self._named_bytes += len(sql)
        return named

    def check(self, sql: str, writes_allowed: bool) -> bool:
        """Return whether the statement writes; raise PolicyViolation if not allowed."""
        verdict = self._cache.get(sql)
        if verdict is None:
            verdict = self._judge(sql)
            if (len(sql) <= MAX_CACHED_SQL and len(self._cache) < _CACHE_ENTRIES
                    and self._cache_bytes + len(sql) <= _CACHE_BYTES):
                self._cache[sql] = verdict
                self._cache_bytes += len(sql)
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
        except (TypeError, ValueError, UnicodeError) as exc:  # e.g. a lone surrogate
            return False, f"the SQL text is not valid UTF-8 text: {type(exc).__name__}"
        if len(statements) != 1:
            return False, f"exactly one SQL statement per call is allowed, got {len(statements)}"
        kind = statements[0].type
        if kind not in READ_TYPES and kind not in WRITE_TYPES:
            return False, f"{kind.name} statements are not allowed; only SELECT, INSERT, UPDATE and DELETE"
        try:
            problem = check_words(sql, self._env_names)
        except PolicyViolation as exc:
            problem = str(exc)
        except (TypeError, ValueError, UnicodeError, duckdb.Error) as exc:
            problem = f"the SQL text cannot be checked: {type(exc).__name__}"
        if problem is not None:
            return False, problem
        return kind in WRITE_TYPES, None
