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

Statements run on one of two sessions (connections) to the same in-memory database: the
main one sees the committed state (reads, snapshots, restores, hash, diff), and tool
writes run in a transaction on the write session. DuckDB isolates connections (MVCC), so
until that transaction commits the main session sees none of its rows: a successful write
trial can be held open and committed later instead of being run again (see
sandbox.held_trial).
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import itertools
import re
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb

from sandbox.ddl_policy import DdlViolation, checked_tables
from sandbox.json_values import json_rows, json_value
from sandbox.query_watchdog import QueryWatchdog
from sandbox.read_cache import ReadCache
from sandbox.sql_policy import HIDDEN_SCHEMA, MAX_CACHED_SQL, SqlPolicy
from sandbox.state_diff import StateDiff, table_diff
from sandbox.write_keys import WriteShape, write_shape

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
    # Per key column: "str" (VARCHAR) or "int" (an integer type), whose values compare in
    # Python as in DuckDB; "" for others (rows of such tables are not tracked by key).
    key_kinds: tuple[str, ...] = ()


class Session(enum.Enum):
    """Which of the store's two connections a statement runs on."""

    COMMITTED = "committed"  # the main connection, autocommit: sees only committed rows; reads only
    WRITE = "write"  # the write connection, inside the transaction begin() opened: a write tool's statements


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
        "python_enable_replacements": False,  # no Python variable is ever a table
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": "2GB",
    })
    # GLOBAL: the store's write session (a cursor) gets the instance's settings, not this session's.
    connection.execute("SET GLOBAL TimeZone = 'UTC'")
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
    """SQL for a column's canonical value; nested values that need nothing pass as they are
    (their field order is fixed by the type, which the hash covers)."""
    kind = ty.id
    if kind in ("double", "float"):
        return f"(round({expr}, 6) + 0.0)"
    if kind in ("list", "struct") and not _needs_canonical(ty):
        return expr
    if kind == "list":
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


_INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                            "UINTEGER", "UBIGINT", "UHUGEINT"})
# Rows changed by one commit beyond which the table counts as rewritten (whole-table work).
MAX_TRACKED_ROWS = 256
# Up to this many rows an insert binds faster as VALUES (~0.6 ms for one row) than as one
# list-of-structs parameter (~1 ms); above it the list is faster (measured, DuckDB 1.x/2.0).
FEW_ROWS = 4
# Commits chained per table before the chain is cut (the next restore or hash of it
# then works on the whole table once).
MAX_LINEAGE = 256

Key = tuple[Any, ...]


@dataclass
class RowHashes:
    """A table version's row hashes: by primary key, and all of them sorted (for the digest).
    `rows` holds the JSON rows fetched with their hashes or for a diff (some keys only):
    a diff reads them from here instead of asking DuckDB again."""

    by_key: dict[Key, str]
    ordered: list[str]
    rows: dict[Key, dict[str, Any]] = field(default_factory=dict)


class StateStore:
    """The DuckDB state of one live env.

    Every committed write gives each table it touched a new version, recorded with its
    parent version and the primary keys of the rows it changed (when the statements say
    which: see sandbox.write_keys). Versions form a tree (a restore goes back to an old
    one); the rows that may differ between two versions are the keys on the path between
    them. So a restore rewrites only those rows, and the hash of a version is its
    ancestor's per-row hashes with only those rows rehashed. A commit whose rows are not
    known cuts the path: work on that table falls back to the whole table.

    Tool writes run on `writer`, a second connection to the same database (see
    Session); everything else runs on `connection`. The write transaction's bookkeeping
    (`_pending`) is the writer's, and nothing but commit() changes the committed rows
    while it is open: restore() refuses to.
    """

    def __init__(self, read_cache_size: int = 0) -> None:
        self.connection = connect()
        # Shares the database instance, so its locked configuration (no files, no
        # extensions, no SET), but has its own transaction.
        self.writer = self.connection.cursor()
        self.reads = ReadCache(read_cache_size)
        self.connection.execute(f"CREATE SCHEMA {HIDDEN_SCHEMA}")
        self.tables: dict[str, Table] = {}
        self.policy = SqlPolicy()
        self.watchdog = QueryWatchdog()
        self._versions: dict[str, int] = {}
        self._counter = itertools.count(1)
        self._copies: dict[tuple[str, int], str] = {}
        self._copy_refs: Counter[tuple[str, int]] = Counter()
        self._released: list[tuple[str, int]] = []
        self._digests: dict[tuple[str, int], str] = {}
        # (table, version) -> (parent version, keys of the rows the commit changed, depth)
        self._parents: dict[tuple[str, int], tuple[int, frozenset[Key], int]] = {}
        # (table, version) -> its row hashes (by primary key, and sorted)
        self._row_hashes: dict[tuple[str, int], RowHashes] = {}
        self._shapes: dict[str, WriteShape] = {}
        self._in_transaction = False  # on the write session
        # Tables written in the open write transaction -> keys of the rows written (None: any row).
        self._pending: dict[str, set[Key] | None] = {}
        self.writes_committed = 0

    # -- tables ---------------------------------------------------------------
    def create_tables(self, ddl: str, timeout: float = 10.0) -> None:
        """Create the env's tables from TABLES, checked by sandbox.ddl_policy (only the
        canonical statements it rebuilds run), under the watchdog."""
        try:
            texts = checked_tables(ddl)
        except DdlViolation as exc:
            raise StateError(str(exc)) from None
        self.watchdog.arm(self.connection, time.monotonic() + timeout)
        try:
            for text in texts:
                try:
                    self.connection.execute(text)
                except duckdb.InterruptException:
                    raise StateError(f"creating the tables ran past {timeout:g} s") from None
                except duckdb.Error as exc:
                    raise StateError(f"{str(exc).splitlines()[0]} in: {text[:80]}") from None
        finally:
            self.watchdog.disarm()
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
            types = {c.name: c.type for c in columns}
            key_kinds = tuple("str" if types[k] == "VARCHAR" else "int" if types[k] in _INTEGER_TYPES else ""
                              for k in keys[name])
            self.tables[name] = Table(name, columns, tuple(keys[name]), canonical, key_kinds)
            self._versions[name] = next(self._counter)
        self.policy = SqlPolicy(frozenset(
            {n.lower() for n in self.tables} | {c.name.lower() for t in self.tables.values() for c in t.columns}),
            tuple(self.tables))

    # -- statements -----------------------------------------------------------
    def connection_of(self, session: Session) -> duckdb.DuckDBPyConnection:
        """The connection of a session."""
        return self.writer if session is Session.WRITE else self.connection

    def run(self, kind: str, sql: str, params: list[Any], session: Session, cached: bool = False) -> Any:
        """Run one env statement (policy-checked) on a session; writes only in the write
        session's open transaction. kind: query | execute. With `cached`, a read may be
        answered from the read cache (the result is then shared: don't change it)."""
        on_writer = session is Session.WRITE
        if on_writer and not self._in_transaction:
            raise RuntimeError("a write-session statement outside begin() ... commit()/rollback()")
        writes = self.policy.check(sql, on_writer)
        key = None
        if cached and not writes and self.reads.size:
            named = self.policy.tables_named(sql)
            # Tables the open transaction wrote are read from DuckDB: their versions are the
            # committed rows'. The committed session sees only those, whatever is open.
            if not (on_writer and any(name in self._pending for name in named)):
                key = ReadCache.key(kind, sql, params, tuple(self._versions[name] for name in named))
                found, value = self.reads.get(key)
                if found:
                    return value
        try:
            cursor = self.connection_of(session).execute(sql, params)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = _fetch_bounded(cursor)
            if kind == "query":
                result: Any = json_rows(columns, rows)
            elif writes and columns == ["Count"] and len(rows) == 1:
                result = int(rows[0][0])
            else:
                result = len(rows)
        except duckdb.Error as exc:
            raise DbError(str(exc).splitlines()[0]) from exc
        if writes:
            self._note_write(sql, params)
        elif key is not None:
            self.reads.remember(key, result)
        return result

    def _note_write(self, sql: str, params: list[Any]) -> None:
        shape = self._shapes.get(sql)
        if shape is None:
            shape = write_shape(sql, {name.lower(): t.primary_key for name, t in self.tables.items()})
            if len(self._shapes) < 4096 and len(sql) <= MAX_CACHED_SQL:
                self._shapes[sql] = shape
        if shape.table is None:  # not recognised: every table the text names may have changed
            for name in self.tables:
                if re.search(rf"\b{name}\b", sql, re.IGNORECASE):
                    self._pending[name] = None
            return
        name = next(n for n in self.tables if n.lower() == shape.table)
        key = None
        if shape.key_params is not None and max(shape.key_params.values()) < len(params):
            key = self._key(self.tables[name], [params[shape.key_params[c]] for c in self.tables[name].primary_key])
        self._mark(name, [key])

    def _key(self, table: Table, values: list[Any]) -> Key | None:
        """The values as a row key, if they compare in Python exactly as DuckDB compares them."""
        for kind, value in zip(table.key_kinds, values, strict=True):
            if not ((kind == "str" and isinstance(value, str))
                    or (kind == "int" and isinstance(value, int) and not isinstance(value, bool))):
                return None
        return tuple(values)

    def _mark(self, name: str, keys: list[Key | None]) -> None:
        if name in self._pending and self._pending[name] is None:
            return
        if any(k is None for k in keys) or len(keys) > MAX_TRACKED_ROWS:
            self._pending[name] = None
            return
        pending = self._pending.setdefault(name, set())
        assert pending is not None
        pending.update(k for k in keys if k is not None)
        if len(pending) > MAX_TRACKED_ROWS:
            self._pending[name] = None

    def insert(self, table: str, rows: list[dict[str, Any]]) -> int:
        """Bulk insert of dicts by column name (one statement, fast for seeding), in the
        write session's open transaction."""
        if not self._in_transaction:
            raise RuntimeError("insert() outside begin() ... commit()/rollback()")
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
        if len(records) <= FEW_ROWS:  # a tool's insert: VALUES binds faster than a list of structs
            one = "(" + ", ".join("?" for _ in ordered) + ")"
            sql = f"INSERT INTO main.{_quote(table)} ({columns}) VALUES " + ", ".join([one] * len(records))
            params: list[Any] = [r[n] for r in records for n in ordered]
        else:  # seeding: one list parameter, however many rows
            select = ", ".join(f"r.{_quote(n)}" for n in ordered)
            sql = f"INSERT INTO main.{_quote(table)} ({columns}) SELECT {select} FROM (SELECT unnest($1) AS r)"
            params = [records]
        try:
            self.writer.execute(sql, params)
        except duckdb.Error as exc:
            raise DbError(str(exc).splitlines()[0]) from exc
        keys = [self._key(spec, [r.get(k) for k in spec.primary_key]) for r in records[:MAX_TRACKED_ROWS + 1]]
        self._mark(table, keys)
        return len(records)

    def begin(self) -> None:
        """Open the write session's transaction (one at a time)."""
        self.writer.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        self._pending.clear()

    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    def commit(self) -> None:
        try:
            self.writer.execute("COMMIT")
        except duckdb.Error as exc:
            self._in_transaction = False
            self._pending.clear()
            raise DbError(str(exc).splitlines()[0]) from exc
        self._in_transaction = False
        if self._pending:
            cut = False
            for name, keys in self._pending.items():
                parent = self._versions[name]
                version = next(self._counter)
                self._versions[name] = version
                depth = self._parents[(name, parent)][2] + 1 if (name, parent) in self._parents else 1
                if keys is not None and depth <= MAX_LINEAGE:
                    self._parents[(name, version)] = (parent, frozenset(keys), depth)
                cut = cut or depth > MAX_LINEAGE
            self.writes_committed += 1
            if cut:
                self._forget_dead_versions()
        self._pending.clear()

    def rollback(self) -> None:
        if self._in_transaction:
            self.writer.execute("ROLLBACK")
        self._in_transaction = False
        self._pending.clear()

    def read(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """A trusted read-only SELECT (tests, the generator) on the committed state: same
        policy as tools."""
        return self.run("query", sql, list(params or []), Session.COMMITTED)

    # -- versions -------------------------------------------------------------
    def _lineage(self, name: str, version: int) -> list[int]:
        chain = [version]
        entry = self._parents.get((name, version))
        while entry is not None:
            chain.append(entry[0])
            entry = self._parents.get((name, entry[0]))
        return chain

    def _changed_keys(self, name: str, first: int, second: int) -> frozenset[Key] | None:
        """Keys of every row that may differ between two versions of a table (None: unknown)."""
        if first == second:
            return frozenset()
        one, other = self._lineage(name, first), self._lineage(name, second)
        shared = set(other)
        common = next((v for v in one if v in shared), None)
        if common is None:
            return None
        keys: set[Key] = set()
        for chain in (one, other):
            for version in chain[:chain.index(common)]:
                keys |= self._parents[(name, version)][1]
        return frozenset(keys)

    def _live_versions(self) -> set[tuple[str, int]]:
        return set(self._versions.items()) | set(self._copies)

    def _forget_dead_versions(self) -> None:
        """Drop what only versions no snapshot or current table can reach needed."""
        live = self._live_versions()
        reachable = {(name, v) for name, version in live for v in self._lineage(name, version)}
        self._parents = {k: e for k, e in self._parents.items() if k in reachable}
        self._row_hashes = {k: m for k, m in self._row_hashes.items() if k in live}
        self._digests = {k: d for k, d in self._digests.items() if k in live}

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

    def is_current(self, snap: Snapshot) -> bool:
        """Whether restoring `snap` would change nothing: same table versions (so the same
        rows) and the same count of committed writes (so the same per-call RNG)."""
        self._check(snap)
        return snap.versions == self._versions and snap.writes == self.writes_committed

    def restore(self, snap: Snapshot) -> None:
        """Rewrite the rows that differ from the snapshot (whole tables where unknown).
        Refused while a write transaction is open, unless there is nothing to do: its
        commit would otherwise land on other rows than the ones it saw."""
        if self._in_transaction and not self.is_current(snap):
            raise RuntimeError("restore() with the write transaction open: roll it back first")
        self._check(snap)
        steps: list[tuple[str, list[Any]]] = []
        for name, version in snap.versions.items():
            current = self._versions[name]
            if current == version:
                continue
            table, copy = f"main.{_quote(name)}", self._copies[(name, version)]
            keys = self._changed_keys(name, current, version)
            if keys is None:
                steps += [(f"DELETE FROM {table}", []), (f"INSERT INTO {table} SELECT * FROM {copy}", [])]
            elif keys:
                where, params = self._key_filter(self.tables[name], keys)
                steps += [(f"DELETE FROM {table} WHERE {where}", params),
                          (f"INSERT INTO {table} SELECT * FROM {copy} WHERE {where}", params)]
        if steps:
            self.connection.execute("BEGIN TRANSACTION")
            try:
                for sql, params in steps:
                    self.connection.execute(sql, params)
                self.connection.execute("COMMIT")
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
        self._versions.update(snap.versions)
        self.writes_committed = snap.writes
        self._drop_released()

    def _key_filter(self, table: Table, keys: frozenset[Key] | set[Key]) -> tuple[str, list[Any]]:
        """A WHERE condition selecting the rows with these keys, and its parameters."""
        ordered = sorted(keys, key=repr)
        if len(table.primary_key) == 1 and all(table.key_kinds):
            return f"list_contains(?, {_quote(table.primary_key[0])})", [[k[0] for k in ordered]]
        one = "(" + " AND ".join(f"{_quote(c)} = ?" for c in table.primary_key) + ")"
        return " OR ".join([one] * len(ordered)), [v for key in ordered for v in key]

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
        self._forget_dead_versions()

    # -- hash and diff --------------------------------------------------------
    def _source(self, name: str, version: int | None) -> str:
        if version is None or version == self._versions[name]:
            return f"main.{_quote(name)}"
        return self._copies[(name, version)]

    def _hash_rows(self, name: str, version: int, keys: frozenset[Key] | set[Key] | None = None) -> RowHashes:
        """The row hashes of a version's rows (those with `keys`, or all), DuckDB sorting them.
        Rows picked by key (the few a write changed) come with their values, for diffs."""
        table = self.tables[name]
        source = self._source(name, version)
        if keys is None:
            pk = ", ".join(_quote(c) for c in table.primary_key)
            rows = self.connection.execute(f"SELECT md5({table.canonical_row}) AS h, {pk} FROM {source}")
            if all(table.key_kinds):  # VARCHAR/integer keys come back as the Python values they are
                by_key = {row[1:]: row[0] for row in rows.fetchall()}
            else:
                by_key = {tuple(json_value(v) for v in row[1:]): row[0] for row in rows.fetchall()}
            return RowHashes(by_key, sorted(by_key.values()))
        if not keys:
            return RowHashes({}, [])
        where, params = self._key_filter(table, keys)
        cursor = self.connection.execute(
            f"SELECT md5({table.canonical_row}) AS h, * FROM {source} WHERE {where}", params)
        columns = [d[0] for d in cursor.description][1:]
        hashes = RowHashes({}, [])
        for row in cursor.fetchall():
            record = json_rows(columns, [row[1:]])[0]
            key = tuple(record[c] for c in table.primary_key)
            hashes.by_key[key] = row[0]
            hashes.ordered.append(row[0])
            hashes.rows[key] = record
        hashes.ordered.sort()
        return hashes

    def row_hashes(self, name: str, version: int | None = None) -> dict[Key, str]:
        """{primary key: md5 of the canonical row} for a version of a table (default: now)."""
        return self._row_hash_set(name, version).by_key

    def _row_hash_set(self, name: str, version: int | None = None) -> RowHashes:
        version = self._versions[name] if version is None else version
        found = self._row_hashes.get((name, version))
        if found is not None:
            return found
        # The nearest ancestor whose row hashes are known, and the rows changed since.
        keys: set[Key] = set()
        node: int | None = version
        while node is not None and (name, node) not in self._row_hashes:
            entry = self._parents.get((name, node))
            if entry is None:
                node = None
            else:
                keys |= entry[1]
                node = entry[0]
        if node is None:
            hashes = self._hash_rows(name, version)
        else:
            base = self._row_hashes[(name, node)]
            hashes = RowHashes(dict(base.by_key), list(base.ordered))
            for key in keys:
                old = hashes.by_key.pop(key, None)
                if old is not None:
                    del hashes.ordered[bisect.bisect_left(hashes.ordered, old)]
            changed = self._hash_rows(name, version, keys)
            for key, new in changed.by_key.items():
                hashes.by_key[key] = new
                bisect.insort(hashes.ordered, new)
            hashes.rows = changed.rows
        live = self._live_versions()
        for stale in [k for k in self._row_hashes if k[0] == name and k not in live]:
            del self._row_hashes[stale]
        self._row_hashes[(name, version)] = hashes
        return hashes

    def table_digest(self, name: str, version: int | None = None) -> str:
        """md5 of the sorted row md5s joined by ',' and the row count ("empty:0" for no rows)."""
        version = self._versions[name] if version is None else version
        key = (name, version)
        digest = self._digests.get(key)
        if digest is None:
            ordered = self._row_hash_set(name, version).ordered
            # md5 as in the SQL definition (md5(string_agg(h, ',' ORDER BY h))), not for security.
            md5 = hashlib.md5(",".join(ordered).encode(), usedforsecurity=False).hexdigest()
            digest = f"{md5 if ordered else 'empty'}:{len(ordered)}"
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
            if old_v == new_v:
                continue
            keys = self._changed_keys(name, old_v, new_v)
            if keys is None and self.table_digest(name, old_v) == self.table_digest(name, new_v):
                continue
            old_hashes, new_hashes = self._row_hash_set(name, old_v), self._row_hash_set(name, new_v)
            if keys is None:
                keys = frozenset(old_hashes.by_key.keys() | new_hashes.by_key.keys())
            # Canonically equal rows (same hash) are unchanged.
            changed = {k for k in keys if old_hashes.by_key.get(k) != new_hashes.by_key.get(k)}
            if not changed:
                continue
            table_change = table_diff(list(table.primary_key), self._rows(name, old_v, old_hashes, changed),
                                      self._rows(name, new_v, new_hashes, changed))
            if table_change.added or table_change.removed or table_change.changed:
                result.tables[name] = table_change
        return result

    def _rows(self, name: str, version: int, hashes: RowHashes, keys: set[Key]) -> list[dict[str, Any]]:
        """The rows of a version with these keys (those it has), fetched once per version."""
        table = self.tables[name]
        missing = {k for k in keys if k in hashes.by_key and k not in hashes.rows}
        if missing:
            where, params = self._key_filter(table, missing)
            cursor = self.connection.execute(f"SELECT * FROM {self._source(name, version)} WHERE {where}", params)
            columns = [d[0] for d in cursor.description]
            for record in json_rows(columns, cursor.fetchall()):
                hashes.rows[tuple(record[c] for c in table.primary_key)] = record
        return [hashes.rows[k] for k in keys if k in hashes.rows]

    def row_counts(self) -> dict[str, int]:
        return {name: int(self.connection.execute(f"SELECT count(*) FROM main.{_quote(name)}").fetchone()[0])
                for name in sorted(self.tables)}

    def close(self) -> None:
        """Close both sessions; an open write transaction is discarded."""
        self.watchdog.close()
        self._in_transaction = False
        self._pending.clear()
        self.writer.close()
        self.connection.close()


# A read's rows are fetched in chunks and their size estimated as they come: a hostile
# SELECT (repeat('x', 10000) over a million rows) would otherwise make the engine hold
# gigabytes before any cap on what the worker may receive applies.
_FETCH_ROWS = 512
MAX_READ_BYTES = 64 << 20


def _fetch_bounded(cursor: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    size = 0
    while True:
        chunk = cursor.fetchmany(_FETCH_ROWS)
        rows += chunk
        size += sum(_rough_size(value) for row in chunk for value in row)
        if size > MAX_READ_BYTES:
            raise DbError(f"the result is larger than {MAX_READ_BYTES >> 20} MiB; select fewer rows or columns")
        if len(chunk) < _FETCH_ROWS:
            return rows


def _rough_size(value: Any) -> int:
    if isinstance(value, (str, bytes)):
        return 16 + len(value)
    if isinstance(value, (list, tuple, dict)):
        return 16 + 16 * len(value)  # nested values are not walked: an estimate only
    return 16
