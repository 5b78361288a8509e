"""The read cache: an env SELECT over tables at versions it already ran on is answered
from memory. Every answer must equal what DuckDB gives: checked against an env with the
cache off over random mixes of reads, writes (some failing half-way), snapshots and
restores, and through reads made inside a write after it changed the table."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox import load_env
from sandbox.read_cache import MAX_ROWS_KEPT, ReadCache
from sandbox.state import Session, StateStore

STOCKROOM = '''
"""Items and their sales; sell() reads its own writes back before returning."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE items (item_id VARCHAR PRIMARY KEY, stock INTEGER NOT NULL, price DOUBLE);
CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, item_id VARCHAR, qty INTEGER);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("items", [{"item_id": "I%d" % i, "stock": i % 4, "price": i * 1.5} for i in range(6)])
    db.insert("sales", [{"sale_id": i, "item_id": "I%d" % (i % 3), "qty": 1} for i in range(300)])


@tool()
def get_item(db: Db, item_id: str) -> dict:
    """Get an item.

    Args:
        item_id: The item.
    """
    row = db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
    if row is None:
        raise ToolError("no item " + item_id)
    return row


@tool()
def count_sales(db: Db, item_id: str) -> dict:
    """Count an item's sales (reads the same item row as get_item, and the sales).

    Args:
        item_id: The item.
    """
    row = db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
    return {"item": row, "sales": db.scalar("SELECT count(*) FROM sales WHERE item_id = ?", [item_id])}


@tool()
def all_sales(db: Db) -> list:
    """Every sale (more rows than the cache keeps)."""
    return db.query("SELECT sale_id, qty FROM sales ORDER BY sale_id")


@tool(writes=True)
def sell(db: Db, item_id: str, qty: int = 1) -> dict:
    """Sell units; fails after writing when the stock would go negative.

    Args:
        item_id: The item.
        qty: Units.
    """
    before = db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
    db.execute("UPDATE items SET stock = stock - ? WHERE item_id = ?", [qty, item_id])
    after = db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
    if after["stock"] < 0:
        raise ToolError("only %d left" % before["stock"])
    sale_id = db.scalar("SELECT max(sale_id) FROM sales") + 1
    db.execute("INSERT INTO sales VALUES (?, ?, ?)", [sale_id, item_id, qty])
    return {"item": after, "sales": db.scalar("SELECT count(*) FROM sales WHERE item_id = ?", [item_id])}


@tool(writes=True)
def restock(db: Db, item_id: str) -> dict:
    """Add 5 units.

    Args:
        item_id: The item.
    """
    db.execute("UPDATE items SET stock = stock + 5 WHERE item_id = ?", [item_id])
    return db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
'''


@pytest.fixture()
def stockroom(tmp_path: Path) -> Path:
    path = tmp_path / "stockroom.py"
    path.write_text(STOCKROOM)
    return path


def test_a_statement_run_again_on_the_same_tables_is_answered_from_memory(stockroom: Path) -> None:
    with load_env(stockroom, seed=1) as env:
        reads = env._state().reads
        first = env.call("get_item", {"item_id": "I2"})
        assert reads.hits == 0
        # Another tool running the same SELECT at the same versions: no DuckDB work for it.
        counted = env.call("count_sales", {"item_id": "I2"})
        assert reads.hits == 1 and counted.result["item"] == first.result


def test_a_read_inside_a_write_sees_the_write_not_the_cache(stockroom: Path) -> None:
    with load_env(stockroom, seed=1) as env:
        assert env.call("get_item", {"item_id": "I3"}).result["stock"] == 3  # cached at this version
        sold = env.call("sell", {"item_id": "I3", "qty": 2})
        assert sold.ok and sold.result["item"]["stock"] == 1  # read back after the UPDATE
        assert env.call("get_item", {"item_id": "I3"}).result["stock"] == 1  # new version, not the cached 3


def test_a_restore_brings_back_the_answers_of_that_state(stockroom: Path) -> None:
    with load_env(stockroom, seed=1) as env, load_env(stockroom, seed=1, memo_size=0) as plain:
        snap = env.snapshot()
        env.call("restock", {"item_id": "I1"})
        assert env.call("count_sales", {"item_id": "I1"}).result["item"]["stock"] == 6
        env.restore(snap)
        hits = env._state().reads.hits
        assert env.call("count_sales", {"item_id": "I1"}) == plain.call("count_sales", {"item_id": "I1"})
        assert env.call("count_sales", {"item_id": "I1"}).result["item"]["stock"] == 1
        # The sales count ran after the restock: sales was not written, so that answer stands.
        assert env._state().reads.hits == hits + 1
        assert plain._state().reads.size == 0 and plain._state().reads.hits == 0  # memo_size=0 turns both off


@pytest.mark.slow
def test_answers_equal_an_uncached_env_over_random_reads_writes_and_restores(stockroom: Path) -> None:
    rng = random.Random(3)
    tools = [("get_item", True), ("count_sales", True), ("all_sales", False), ("sell", True), ("restock", True)]
    with load_env(stockroom, seed=1) as env, load_env(stockroom, seed=1, memo_size=0) as plain:
        snaps: list[tuple[object, object]] = []
        for _ in range(300):
            roll = rng.random()
            if roll < 0.1:
                snaps.append((env.snapshot(), plain.snapshot()))
                continue
            if roll < 0.2 and snaps:
                mine, theirs = rng.choice(snaps)
                env.restore(mine)  # type: ignore[arg-type]
                plain.restore(theirs)  # type: ignore[arg-type]
                continue
            name, takes_item = rng.choice(tools)
            args = {"item_id": f"I{rng.randrange(7)}"} if takes_item else {}
            if name == "sell":
                args["qty"] = rng.randint(1, 3)
            assert env.call(name, args) == plain.call(name, args), (name, args)
            assert env.state_hash() == plain.state_hash()
        assert env._state().reads.hits > 20  # the cache did answer, and never differently


def test_big_results_and_typed_parameters_are_kept_apart() -> None:
    store = StateStore(read_cache_size=16)
    try:
        store.create_tables("CREATE TABLE t (k VARCHAR PRIMARY KEY, n INTEGER);")
        store.begin()
        store.insert("t", [{"k": str(i), "n": i} for i in range(MAX_ROWS_KEPT + 10)])
        store.commit()
        everything = "SELECT k FROM t ORDER BY k"
        assert len(store.run("query", everything, [], Session.COMMITTED, cached=True)) == MAX_ROWS_KEPT + 10
        store.run("query", everything, [], Session.COMMITTED, cached=True)
        assert store.reads.hits == 0  # too big to keep
        typed = "SELECT ? AS v FROM t WHERE k = '0'"  # names a table: a statement naming none is not kept
        assert store.run("query", typed, ["1"], Session.COMMITTED, cached=True) == [{"v": "1"}]
        assert store.run("query", typed, [1], Session.COMMITTED, cached=True) == [{"v": 1}]  # not the "1" answer
        assert store.reads.hits == 0
        assert store.run("query", typed, [1], Session.COMMITTED, cached=True) == [{"v": 1}] and store.reads.hits == 1
        assert store.read("SELECT n FROM t WHERE k = '3'") == [{"n": 3}]
        assert store.read("SELECT n FROM t WHERE k = '3'") == [{"n": 3}] and store.reads.hits == 1  # read(): uncached
    finally:
        store.close()


def test_the_cache_is_bounded() -> None:
    cache = ReadCache(2)
    for i in range(3):
        cache.remember(ReadCache.key("query", "SELECT ? FROM t", [i], (1,)), [{"v": i}])
    assert cache.get(ReadCache.key("query", "SELECT ? FROM t", [0], (1,))) == (False, None)
    assert cache.get(ReadCache.key("query", "SELECT ? FROM t", [2], (1,))) == (True, [{"v": 2}])
