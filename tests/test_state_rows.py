"""Row-level state work: restores and hashes that touch only the rows a write changed.

The store records, per commit, the keys of the rows it changed (sandbox.write_keys reads
them from `... WHERE <primary key> = ?` statements) and falls back to whole tables for
any other write. These tests drive random mixes of both kinds and check every result
against oracles computed from the full tables: the documented hash definition, the
table contents at each snapshot, and a diff computed row by row.
"""

from __future__ import annotations

import gc
import hashlib
import random
from pathlib import Path
from typing import Any

import pytest

from sandbox import Environment, load_env
from sandbox.state import MAX_LINEAGE
from sandbox.write_keys import write_shape

LEDGER = '''
"""A ledger of items and tags, written in every way the store tells apart."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE items (item_id VARCHAR PRIMARY KEY, qty INTEGER NOT NULL, price DOUBLE, notes VARCHAR[]);
CREATE TABLE tags (owner VARCHAR, tag INTEGER, value VARCHAR, PRIMARY KEY (owner, tag));
CREATE TABLE days (day DATE PRIMARY KEY, note VARCHAR);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("items", [{"item_id": "I%02d" % i, "qty": i % 5, "price": i * 1.25, "notes": ["n%d" % i]}
                        for i in range(12)])
    db.insert("tags", [{"owner": "I%02d" % (i % 4), "tag": i, "value": "v%d" % i} for i in range(8)])
    db.insert("days", [{"day": "2026-01-%02d" % (i + 1), "note": None} for i in range(5)])


@tool(writes=True, phrasing=["set {item_id}"])
def set_qty(db: Db, item_id: str, qty: int) -> int:
    """Tracked: one row by its key.

    Args:
        item_id: Item.
        qty: Quantity.
    """
    return db.execute("UPDATE items SET qty = ?, notes = list_append(notes, 'q') WHERE item_id = ?", [qty, item_id])


@tool(writes=True, phrasing=["price {item_id}"])
def set_price(db: Db, item_id: str, price: float) -> int:
    """Tracked: a float, possibly changed below the hash's 6 decimals.

    Args:
        item_id: Item.
        price: Price.
    """
    return db.execute("UPDATE items SET price = ? WHERE item_id = ?", [price, item_id])


@tool(writes=True, phrasing=["bump {delta}"])
def bump(db: Db, delta: int) -> int:
    """Untracked: any number of rows.

    Args:
        delta: Added to every quantity above 2.
    """
    return db.execute("UPDATE items SET qty = qty + ? WHERE qty > 2", [delta])


@tool(writes=True, phrasing=["remove {item_id}"])
def remove(db: Db, item_id: str) -> int:
    """Tracked delete.

    Args:
        item_id: Item.
    """
    return db.execute("DELETE FROM items WHERE item_id = ?", [item_id])


@tool(writes=True, phrasing=["add {item_id}"])
def add(db: Db, item_id: str, qty: int, sql: bool) -> int:
    """A new row: tracked through db.insert, untracked through an INSERT statement.

    Args:
        item_id: Item.
        qty: Quantity.
        sql: Whether to use an INSERT statement.
    """
    if db.scalar("SELECT count(*) FROM items WHERE item_id = ?", [item_id]):
        raise ToolError("exists")
    if sql:
        return db.execute("INSERT INTO items VALUES (?, ?, 1.0, [])", [item_id, qty])
    return db.insert("items", [{"item_id": item_id, "qty": qty, "price": 1.0, "notes": []}])


@tool(writes=True, phrasing=["rename {item_id}"])
def rename(db: Db, item_id: str, new_id: str) -> int:
    """Untracked: the key itself changes.

    Args:
        item_id: Item.
        new_id: Its new id.
    """
    if db.scalar("SELECT count(*) FROM items WHERE item_id = ?", [new_id]):
        raise ToolError("exists")
    return db.execute("UPDATE items SET item_id = ? WHERE item_id = ?", [new_id, item_id])


@tool(writes=True, phrasing=["tag {owner}"])
def set_tag(db: Db, owner: str, tag: int, value: str) -> int:
    """Tracked: a composite key, its columns named in the other order.

    Args:
        owner: Owner.
        tag: Tag number.
        value: Value.
    """
    return db.execute("UPDATE tags SET value = ? WHERE tag = ? AND owner = ?", [value, tag, owner])


@tool(writes=True, phrasing=["note {day}"])
def note_day(db: Db, day: str, note: str) -> int:
    """A DATE key: its rows are not tracked by key.

    Args:
        day: The day.
        note: A note.
    """
    return db.execute("UPDATE days SET note = ? WHERE day = ?", [note, day])


@tool(writes=True, phrasing=["fail {item_id}"])
def fail_after_write(db: Db, item_id: str) -> int:
    """Writes, then fails: nothing may stick.

    Args:
        item_id: Item.
    """
    db.execute("UPDATE items SET qty = 99 WHERE item_id = ?", [item_id])
    raise ToolError("refused")
'''

KEYS = {"items": ["item_id"], "tags": ["owner", "tag"], "days": ["day"]}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Environment:
    path = Path(tmp_path_factory.mktemp("ledger")) / "ledger.py"
    path.write_text(LEDGER)
    with load_env(path) as env:
        yield env


def contents(env: Environment) -> dict[str, list[dict[str, Any]]]:
    return {name: env.query(f"SELECT * FROM {name} ORDER BY {', '.join(KEYS[name])}") for name in KEYS}


def oracle_hash(env: Environment) -> str:
    """The state hash exactly as documented, from the full tables (no cache, no tracking)."""
    lines = []
    for name in sorted(env.tables):
        table = env.tables[name]
        digest, count = env.query(
            f"SELECT coalesce(md5(string_agg(h, ',' ORDER BY h)), 'empty') AS d, count(*) AS n "
            f"FROM (SELECT md5({table.canonical_row}) AS h FROM {name})")[0].values()
        schema = ",".join(f"{c.name} {c.type}" for c in sorted(table.columns, key=lambda c: c.name))
        lines.append(f"{name}\t{schema}\t{digest}:{count}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def oracle_diff(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """{table: (added keys, removed keys, changed keys)} from full contents (floats to 6 decimals)."""

    def canonical(row: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()}

    result = {}
    for name, keys in KEYS.items():
        old = {tuple(r[k] for k in keys): canonical(r) for r in before[name]}
        new = {tuple(r[k] for k in keys): canonical(r) for r in after[name]}
        change = (sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys()),
                  sorted(k for k in old.keys() & new.keys() if old[k] != new[k]))
        if any(change):
            result[name] = change
    return result


def diff_keys(env: Environment, snap: Any) -> dict[str, Any]:
    result = {}
    for name, change in env.diff(snap).tables.items():
        keys = KEYS[name]
        result[name] = (sorted(tuple(r[k] for k in keys) for r in change.added),
                        sorted(tuple(r[k] for k in keys) for r in change.removed),
                        sorted(tuple(c.key[k] for k in keys) for c in change.changed))
    return result


def random_call(env: Environment, rng: random.Random) -> None:
    items = [r["item_id"] for r in env.query("SELECT item_id FROM items")]
    item = rng.choice(items) if items else "I00"
    fresh = f"N{rng.randrange(40):02d}"
    kind = rng.randrange(10)
    calls = [
        ("set_qty", {"item_id": item, "qty": rng.randrange(9)}),
        ("set_price", {"item_id": item, "price": round(rng.uniform(0, 9), 2) + rng.choice([0, 1e-9, 3e-7])}),
        ("bump", {"delta": rng.choice([-1, 1])}),
        ("remove", {"item_id": item}),
        ("add", {"item_id": fresh, "qty": rng.randrange(9), "sql": rng.random() < 0.5}),
        ("rename", {"item_id": item, "new_id": fresh}),
        ("set_tag", {"owner": f"I{rng.randrange(4):02d}", "tag": rng.randrange(8), "value": f"w{rng.randrange(99)}"}),
        ("note_day", {"day": f"2026-01-{rng.randrange(1, 6):02d}", "note": f"d{rng.randrange(9)}"}),
        ("fail_after_write", {"item_id": item}),
        ("set_qty", {"item_id": "missing", "qty": 1}),
    ]
    name, args = calls[kind]
    result = env.call(name, args)
    assert result.ok or result.error.type == "ToolError", result.error


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_writes_restores_hashes_and_diffs_match_the_oracles(ledger: Environment, seed: int) -> None:
    rng = random.Random(seed)
    ledger.reset()
    initial = contents(ledger)
    assert ledger.state_hash() == oracle_hash(ledger)
    snaps: list[tuple[Any, dict[str, Any], str]] = [(ledger.initial, initial, ledger.state_hash())]
    for step in range(60):
        random_call(ledger, rng)
        now = contents(ledger)
        assert ledger.state_hash() == oracle_hash(ledger), step
        snap, then, then_hash = rng.choice(snaps)
        assert diff_keys(ledger, snap) == oracle_diff(then, now), step
        if rng.random() < 0.3:
            snaps.append((ledger.snapshot(), now, ledger.state_hash()))
        if rng.random() < 0.25:  # back (or forward) to any snapshot taken so far
            snap, then, then_hash = rng.choice(snaps)
            ledger.restore(snap)
            assert contents(ledger) == then, step  # exact: floats too, not just to 6 decimals
            assert ledger.state_hash() == then_hash == oracle_hash(ledger), step
            assert ledger.diff(snap).empty
    ledger.reset()
    assert contents(ledger) == initial


def test_a_restore_is_exact_below_the_hash_precision(ledger: Environment) -> None:
    ledger.reset()
    before = ledger.query("SELECT price FROM items WHERE item_id = 'I03'")[0]["price"]
    assert ledger.call("set_price", {"item_id": "I03", "price": before + 1e-9}).ok
    assert ledger.state_hash() == oracle_hash(ledger)  # equal hash: the change is below 6 decimals
    ledger.reset()
    assert ledger.query("SELECT price FROM items WHERE item_id = 'I03'")[0]["price"] == before


def test_long_chains_are_cut_and_stay_correct(ledger: Environment) -> None:
    ledger.reset()
    for i in range(MAX_LINEAGE + 5):
        assert ledger.call("set_qty", {"item_id": "I01", "qty": i % 7}).ok
    assert ledger.state_hash() == oracle_hash(ledger)
    assert diff_keys(ledger, ledger.initial) == {"items": ([], [], [("I01",)])}
    gc.collect()  # the snapshots of earlier tests are gone
    ledger.reset()
    assert ledger.diff().empty and ledger.state_hash() == oracle_hash(ledger)
    # Only what the live versions (the initial snapshot's) need is kept: the seed commit per table.
    assert len(ledger._state()._parents) <= len(KEYS)


PK = {"orders": ("order_id",), "pm": ("user_id", "method_id")}


@pytest.mark.parametrize(("sql", "table", "keys"), [
    ("UPDATE orders SET status = ?, note = ? WHERE order_id = ?", "orders", {"order_id": 2}),
    ("update ORDERS set status = ? where ORDER_ID = ?;", "orders", {"order_id": 1}),
    ('UPDATE "orders" SET status = ? WHERE "order_id" = ? -- why', "orders", {"order_id": 1}),
    ("UPDATE pm SET balance = ? WHERE method_id = ? AND user_id = ?", "pm", {"user_id": 2, "method_id": 1}),
    ("UPDATE orders SET status = 'x', note = ? || ? WHERE order_id = ?", "orders", {"order_id": 2}),
    ("DELETE FROM orders WHERE order_id = ?", "orders", {"order_id": 0}),
    # Any row of the table may change:
    ("UPDATE orders SET status = ? WHERE order_id = ? OR 1 = 1", "orders", None),
    ("UPDATE orders SET status = ? WHERE order_id = 'literal'", "orders", None),
    ("UPDATE orders SET status = ? WHERE status = ?", "orders", None),
    ("UPDATE orders SET order_id = ? WHERE order_id = ?", "orders", None),
    ("UPDATE orders SET status = ? WHERE order_id = ? RETURNING *", "orders", None),
    ("UPDATE orders o SET status = ? WHERE order_id = ?", "orders", None),
    ("UPDATE orders SET status = (SELECT max(status) FROM orders WHERE order_id = ?) WHERE order_id = ?", "orders",
     None),
    ("UPDATE orders SET status = x.s FROM (SELECT 'a' AS s) x WHERE order_id = ?", "orders", None),
    ("UPDATE orders SET status = $1 WHERE order_id = $2", "orders", None),
    ("UPDATE orders SET status = ?2 WHERE order_id = ?1", "orders", None),
    ("UPDATE pm SET balance = ? WHERE user_id = ?", "pm", None),
    ("UPDATE pm SET balance = ? WHERE user_id = ? AND user_id = ?", "pm", None),
    ("DELETE FROM orders", "orders", None),
    ("INSERT INTO orders VALUES (?, ?)", "orders", None),
    ("INSERT OR REPLACE INTO orders SELECT * FROM orders", "orders", None),
    # Target not recognised: every table the text names counts as changed.
    ("UPDATE main.orders SET status = ? WHERE order_id = ?", None, None),
    ("WITH x AS (SELECT 1) UPDATE orders SET status = ? WHERE order_id = ?", None, None),
    ("UPDATE nope SET a = ? WHERE k = ?", None, None),
])
def test_write_shapes(sql: str, table: str | None, keys: dict[str, int] | None) -> None:
    shape = write_shape(sql, PK)
    assert (shape.table, shape.key_params) == (table, keys)
