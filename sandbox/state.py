"""An env's state: one in-memory DuckDB, its snapshots, canonical hash and diff.

Snapshots are copies of tables in a hidden schema, made lazily: each table carries a
content version that changes only when a committed write touches it, so a snapshot
copies only tables changed since the last copy, and a restore rewrites only tables
whose version differs.

The hash is canonical: per table, the md5 of each row's JSON (columns by name,
DOUBLE/FLOAT rounded to 6 decimals, -0.0 as 0.0, timestamps as text in UTC, NULL as
JSON null so it differs from the string 'NULL'), rows sorted by that md5 and hashed
again; the state hash is the sha256 of "table, schema, table digest" lines sorted by
table name. Row order and physical layout do not matter, and md5 is computed by
DuckDB, so the value is the same in every process and on every machine.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

import duckdb

from sandbox.json_values import json_rows
from sandbox.query_watchdog import QueryWatchdog
from sandbox.sql_policy import HIDDEN_SCHEMA, SqlPolicy, check_tokens
from sandbox.state_diff import StateDiff, table_diff

_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class StateError(Exception):
    """The env's tables are ill-declared (bad DDL, no primary key, ...)."""


class DbError(Exception):
    """DuckDB rejected a statement (an env bug, reported to the tool as an error)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    canonical_row: str  # SQL: the row's canonical JSON text


class Snapshot:
    """A point-in-time state of one env; pass it to `restore` or `diff`."""

    __slots__ = ("__weakref__", "store_id", "versions", "writes")

    def __init__(self, versions: dict[str, int], writes: int, store_id: int) -> None:
        self.versions = versions
        self.writes = writes  # committed writes so far: part of what seeds the per-call RNG
        self.store_id = store_id


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that cannot touch files, load extensions or be reconfigured."""
    connection = duckdb.connect(":memory:", config={
        "threads": 1,
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": "2GB",
    })
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET lock_configuration = true")
    return connection


def _needs_canonical(ty: duckdb.typing.DuckDBPyType) -> bool:
    kind = ty.id
    if kind in ("double", "float", "timestamp with time zone"):
        return True
    if kind in ("list", "struct"):
        return any(_needs_canonical(child) for _, child in ty.children)
    return False


def _canonical(expr: str, ty: duckdb.typing.DuckDBPyType, depth: int = 0) -> str:
    kind = ty.id
    if kind in ("double", "float"):
        return f"(round({expr}, 6) + 0.0)"
    if kind == "list":
        if not _needs_canonical(ty):
            return expr
        var = f"x{depth}"
        return f"list_transform({expr}, lambda {var}: {_canonical(var, ty.children[0][1], depth + 1)})"
    if kind == "struct":
        fields = sorted(ty.children, key=lambda child: child[0])
        inner = ", ".join(f'"{name}" := {_canonical(f"{expr}.{_quote(name)}", child, depth)}'
                          for name, child in fields)
        return f"struct_pack({inner})"
    if kind == "timestamp with time zone":
        return f"CAST({expr} AS VARCHAR)"
    return expr


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class StateStore:
    """The DuckDB state of one live env."""

    def __init__(self) -> None:
        self.connection = connect()
        self.connection.execute(f"CREATE SCHEMA {HIDDEN_SCHEMA}")
        self.tables: dict[str, Table] = {}
        self.policy = SqlPolicy()
        self.watchdog = QueryWatchdog(self.connection)
        self._versions: dict[str, int] = {}
        self._counter = itertools.count(1)
        self._copies: dict[tuple[str, int], str] = {}
        self._copy_refs: Counter[tuple[str, int]] = Counter()
        self._released: list[tuple[str, int]] = []
        self._digests: dict[tuple[str, int], str] = {}
        self._in_transaction = False
        self._touched: set[str] = set()
        self.writes_committed = 0

    # -- tables ---------------------------------------------------------------
    def create_tables(self, ddl: str) -> None:
        try:
            texts = [s.strip() for s in _split_sql(ddl)]
        except duckdb.Error as exc:
            raise StateError(f"TABLES does not parse: {exc}") from exc
        if not texts:
            raise StateError("TABLES holds no statement")
        for text in texts:
            if not _CREATE_TABLE.match(text):
                raise StateError(f"TABLES may hold only CREATE TABLE statements, got: {text[:60]}")
            problem = check_tokens(text, names=False)
            if problem is not None:
                raise StateError(problem)
            try:
                self.connection.execute(text)
            except duckdb.Error as exc:
                raise StateError(f"{exc} in: {text[:80]}") from exc
        names = [r[0] for r in self.connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name").fetchall()]
        keys = dict(self.connection.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE schema_name = 'main' AND constraint_type = 'PRIMARY KEY'").fetchall())
        for name in names:
            if not _IDENTIFIER.match(name):
                raise StateError(f"table name {name!r} must be a plain identifier")
            if name not in keys:
                raise StateError(f"table {name} has no PRIMARY KEY")
            relation = self.connection.table(f"main.{_quote(name)}")
            columns = tuple(Column(c, str(t)) for c, t in zip(relation.columns, relation.types, strict=True))
            ordered = sorted(zip(relation.columns, relation.types, strict=True), key=lambda ct: ct[0])
            canonical = "to_json(struct_pack(" + ", ".join(
                f"{_quote(c)} := {_canonical(_quote(c), t)}" for c, t in ordered) + "))"
            self.tables[name] = Table(name, columns, tuple(keys[name]), canonical)
            self._versions[name] = next(self._counter)
        self.policy = SqlPolicy(frozenset(
            {n.lower() for n in self.tables} | {c.name.lower() for t in self.tables.values() for c in t.columns}))

    # -- statements -----------------------------------------------------------
    def run(self, kind: str, sql: str, params: list[Any], writes_allowed: bool) -> Any:
        """Run one env statement (policy-checked). kind: query | execute."""
        writes = self.policy.check(sql, writes_allowed)
        try:
            cursor = self.connection.execute(sql, params)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall()
            if kind == "query":
                result: Any = json_rows(columns, rows)
            elif writes and columns == ["Count"] and len(rows) == 1:
                result = int(rows[0][0])
            else:
                result = len(rows)
        except duckdb.Error as exc:
            raise DbError(str(exc).splitlines()[0]) from exc
        if writes:
            self._touched.update(t for t in self.tables if re.search(rf"\b{t}\b", sql, re.IGNORECASE))
        return result

    def insert(self, table: str, rows: list[dict[str, Any]]) -> int:
        """Bulk insert of dicts by column name (one statement, fast for seeding)."""
        spec = self.tables.get(table)
        if spec is None:
            raise DbError(f"no table {table!r}; tables: {', '.join(sorted(self.tables))}")
        if not rows:
            return 0
        known = {c.name for c in spec.columns}
        names = sorted({k for r in rows for k in r})
        unknown = [n for n in names if n not in known]
        if unknown:
            raise DbError(f"table {table} has no column(s) {unknown}")
        ordered = [c.name for c in spec.columns if c.name in names]
        records = [{n: r.get(n) for n in ordered} for r in rows]
        columns = ", ".join(_quote(n) for n in ordered)
        select = ", ".join(f"r.{_quote(n)}" for n in ordered)
        try:
            self.connection.execute(
                f"INSERT INTO main.{_quote(table)} ({columns}) SELECT {select} FROM (SELECT unnest($1) AS r)",
                [records])
        except duckdb.Error as exc:
            raise DbError(str(exc).splitlines()[0]) from exc
        self._touched.add(table)
        return len(records)

    def begin(self) -> None:
        self.connection.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        self._touched.clear()

    def commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        except duckdb.Error as exc:
            self._in_transaction = False
            self._touched.clear()
            raise DbError(str(exc).splitlines()[0]) from exc
        self._in_transaction = False
        if self._touched:
            for name in self._touched:
                self._versions[name] = next(self._counter)
            self.writes_committed += 1
        self._touched.clear()

    def rollback(self) -> None:
        if self._in_transaction:
            self.connection.execute("ROLLBACK")
        self._in_transaction = False
        self._touched.clear()

    def read(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """A trusted read-only SELECT (tests, the generator): same policy as tools."""
        return self.run("query", sql, list(params or []), writes_allowed=False)

    # -- snapshots ------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        self._drop_released()
        for name, version in self._versions.items():
            key = (name, version)
            if key not in self._copies:
                copy = f"{HIDDEN_SCHEMA}.v{version}_{name}"
                self.connection.execute(f"CREATE TABLE {copy} AS SELECT * FROM main.{_quote(name)}")
                self._copies[key] = copy
        snap = Snapshot(dict(self._versions), self.writes_committed, id(self))
        for key in snap.versions.items():
            self._copy_refs[key] += 1
        weakref.finalize(snap, self._released.extend, list(snap.versions.items()))
        return snap

    def restore(self, snap: Snapshot) -> None:
        self._check(snap)
        statements = []
        for name, version in snap.versions.items():
            if self._versions[name] != version:
                statements.append(f"DELETE FROM main.{_quote(name)}")
                statements.append(f"INSERT INTO main.{_quote(name)} SELECT * FROM {self._copies[(name, version)]}")
        if statements:
            self.connection.execute("BEGIN TRANSACTION; " + "; ".join(statements) + "; COMMIT")
            self._versions.update(snap.versions)
        self.writes_committed = snap.writes

    def _check(self, snap: Snapshot) -> None:
        if snap.store_id != id(self):
            raise ValueError("this snapshot belongs to another environment")

    def _drop_released(self) -> None:
        """Drop copies no live snapshot refers to (the current version's copy is kept)."""
        while self._released:
            self._copy_refs[self._released.pop()] -= 1
        for key in [k for k in self._copies if self._copy_refs[k] <= 0 and self._versions.get(k[0]) != k[1]]:
            del self._copy_refs[key]
            self.connection.execute(f"DROP TABLE IF EXISTS {self._copies.pop(key)}")

    # -- hash and diff --------------------------------------------------------
    def _source(self, name: str, version: int | None) -> str:
        if version is None or version == self._versions[name]:
            return f"main.{_quote(name)}"
        return self._copies[(name, version)]

    def table_digest(self, name: str, version: int | None = None) -> str:
        version = self._versions[name] if version is None else version
        key = (name, version)
        digest = self._digests.get(key)
        if digest is None:
            row = self.connection.execute(
                f"SELECT coalesce(md5(string_agg(h, ',' ORDER BY h)), 'empty'), count(*) FROM "
                f"(SELECT md5({self.tables[name].canonical_row}) AS h FROM {self._source(name, version)})"
            ).fetchone()
            assert row is not None
            digest = f"{row[0]}:{row[1]}"
            self._digests[key] = digest
        return digest

    def state_hash(self, snap: Snapshot | None = None) -> str:
        versions = self._versions if snap is None else snap.versions
        lines = []
        for name in sorted(self.tables):
            schema = ",".join(f"{c.name} {c.type}" for c in sorted(self.tables[name].columns, key=lambda c: c.name))
            lines.append(f"{name}\t{schema}\t{self.table_digest(name, versions[name])}")
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def diff(self, before: Snapshot, after: Snapshot | None = None) -> StateDiff:
        self._check(before)
        if after is not None:
            self._check(after)
        after_versions = self._versions if after is None else after.versions
        result = StateDiff()
        for name, table in self.tables.items():
            old_v, new_v = before.versions[name], after_versions[name]
            if old_v == new_v or self.table_digest(name, old_v) == self.table_digest(name, new_v):
                continue
            old_src, new_src = self._source(name, old_v), self._source(name, new_v)
            canon = table.canonical_row
            old_rows = self._rows_not_in(old_src, new_src, canon)
            new_rows = self._rows_not_in(new_src, old_src, canon)
            table_change = table_diff(list(table.primary_key), old_rows, new_rows)
            if table_change.added or table_change.removed or table_change.changed:
                result.tables[name] = table_change
        return result

    def _rows_not_in(self, source: str, other: str, canonical: str) -> list[dict[str, Any]]:
        cursor = self.connection.execute(
            f"SELECT * FROM {source} WHERE md5({canonical}) NOT IN (SELECT md5({canonical}) FROM {other})")
        return json_rows([d[0] for d in cursor.description], cursor.fetchall())

    def row_counts(self) -> dict[str, int]:
        return {name: int(self.connection.execute(f"SELECT count(*) FROM main.{_quote(name)}").fetchone()[0])
                for name in sorted(self.tables)}

    def close(self) -> None:
        self.watchdog.close()
        self.connection.close()


def _split_sql(ddl: str) -> list[str]:
    """The DDL's statements as text (DuckDB's parser finds the boundaries)."""
    return [s.query for s in duckdb.extract_statements(ddl)]
