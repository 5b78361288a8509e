"""Held write trials: a successful peek() of a write keeps its transaction open on the
store's write session, and call() of the same write on the same state commits it instead
of running the tool again. Everything observable must be what running it gives; anything
that changes the state first rolls the trial back; reads, snapshots, hash and diff taken
while it is held see the committed state only."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from envkit import load_source, module_source, tool_source
from test_engine import SHOP

from sandbox import Environment, Limits, Snapshot, load_env
from sandbox.state import DbError, Session

SELL = ("sell", {"item_id": "I03"})
NOTE = ("set_note", {"item_id": "I02", "note": "x"})


class RunCounter:
    """Counts the tool bodies an env's worker really runs (requests with op "call")."""

    def __init__(self, env: Environment) -> None:
        self.runs = 0
        request = env._worker.request

        def counted(message: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
            self.runs += message.get("op") == "call"
            return request(message, *args, **kwargs)

        env._worker.request = counted  # type: ignore[method-assign]


@pytest.fixture()
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.py"
    path.write_text(SHOP)
    return path


@pytest.fixture()
def pair(shop_file: Path) -> Iterator[tuple[Environment, Environment]]:
    """An env with held trials (the default) and a reference that runs every call."""
    with load_env(shop_file, seed=5) as env, load_env(shop_file, seed=5, memo_size=0) as plain:
        yield env, plain


def _same_state(env: Environment, plain: Environment) -> None:
    assert env.state_hash() == plain.state_hash()
    assert env.diff() == plain.diff()
    assert env.query("SELECT * FROM items ORDER BY item_id") == plain.query("SELECT * FROM items ORDER BY item_id")
    assert env.query("SELECT * FROM sales ORDER BY sale_id") == plain.query("SELECT * FROM sales ORDER BY sale_id")
    assert env._state().writes_committed == plain._state().writes_committed
    assert env.call("clock") == plain.call("clock")  # same per-call RNG: same count of writes committed


def test_a_peeked_then_called_write_runs_once_and_ends_as_a_plain_call(pair) -> None:
    env, plain = pair
    runs = RunCounter(env)
    seen = env.peek(*SELL)
    assert seen.ok and runs.runs == 1
    done = env.call(*SELL)
    assert runs.runs == 1  # committed, not run again
    assert done == seen == plain.call(*SELL)
    assert env._held is None and not env._state().in_transaction
    _same_state(env, plain)
    # The next write runs from the committed state, with the next RNG seed.
    assert env.call(*NOTE) == plain.call(*NOTE) and runs.runs == 3  # the clock read above, then this
    _same_state(env, plain)


def test_a_held_trial_survives_a_restore_that_changes_nothing(pair) -> None:
    env, plain = pair
    runs = RunCounter(env)
    start = env.snapshot()
    env.peek(*SELL)
    env.reset()  # already the seeded state: nothing to undo, the trial stays valid
    env.restore(start)
    assert env.call(*SELL) == plain.call(*SELL) and runs.runs == 1
    _same_state(env, plain)


def test_a_held_trial_leaves_no_trace_when_another_write_is_made(pair) -> None:
    env, plain = pair
    assert env.peek(*SELL).ok
    assert env.call(*NOTE) == plain.call(*NOTE)
    _same_state(env, plain)
    runs = RunCounter(env)
    assert env.call(*SELL) == plain.call(*SELL) and runs.runs == 1  # another state: it runs
    _same_state(env, plain)


def test_a_held_trial_leaves_no_trace_after_a_restore_or_reset(pair) -> None:
    env, plain = pair
    assert env.call(*NOTE) == plain.call(*NOTE)
    noted, plain_noted = env.snapshot(), plain.snapshot()
    assert env.call(*SELL) == plain.call(*SELL)
    assert env.peek("remove_item", {"item_id": "I05"}).ok  # held, on the state after the sale
    env.restore(noted)
    plain.restore(plain_noted)
    _same_state(env, plain)
    assert env.call("remove_item", {"item_id": "I05"}) == plain.call("remove_item", {"item_id": "I05"})
    _same_state(env, plain)
    assert env.peek(*SELL).ok
    env.reset()
    plain.reset()
    _same_state(env, plain)
    assert env.diff().empty
    # The restore rewrites the very row the held trial wrote.
    assert env.call(*SELL) == plain.call(*SELL)
    sold, plain_sold = env.snapshot(), plain.snapshot()
    assert env.peek("set_note", {"item_id": "I03", "note": "held"}).ok
    env.reset()
    plain.reset()
    _same_state(env, plain)
    env.restore(sold)
    plain.restore(plain_sold)
    _same_state(env, plain)
    # Back on the state the trial ran on, the same call. (DuckDB raises no conflict when one
    # connection deletes a row another has an uncommitted update of, and that update's
    # commit then loses it: the trial must have been rolled back before the restore.)
    noted = ("set_note", {"item_id": "I03", "note": "held"})
    assert env.call(*noted) == plain.call(*noted)
    _same_state(env, plain)


def test_another_trial_settles_the_held_one(pair) -> None:
    env, plain = pair
    runs = RunCounter(env)
    assert env.peek(*SELL).ok
    assert env.peek(*NOTE).ok  # the sale's trial is rolled back, this one is held
    assert not env.peek("sell", {"item_id": "I04", "qty": 99}).ok  # a failed trial holds nothing
    assert env._held is None
    assert env.call(*SELL) == plain.call(*SELL) and runs.runs == 4  # its outcome from the memo, but it runs
    _same_state(env, plain)


def test_reads_snapshots_hash_and_diff_see_only_the_committed_state_while_a_trial_is_held(pair) -> None:
    env, plain = pair
    initial = env.state_hash()
    item = env.call("get_item", {"item_id": "I03"}).result  # in the read cache, at the committed version
    assert env.peek(*SELL).ok and env._held is not None
    assert env.call("get_item", {"item_id": "I03"}).result == item
    assert env.query("SELECT stock FROM items WHERE item_id = 'I03'") == [{"stock": item["stock"]}]
    assert env.query("SELECT count(*) AS n FROM sales") == [{"n": 0}]
    assert env.query("SELECT * FROM sales WHERE sale_id = 1") == []  # the held insert's key, by the index
    assert env.row_counts() == plain.row_counts()
    assert env.state_hash() == initial and env.diff().empty
    before = env.snapshot()  # copies the committed rows, not the held ones
    assert env._held is not None  # none of that settled it
    sold = env.call(*SELL)
    assert sold == plain.call(*SELL)
    assert env.call("get_item", {"item_id": "I03"}).result["stock"] == item["stock"] - 1
    assert env.state_hash(before) == initial and env.diff(before) == plain.diff()
    env.restore(before)
    assert env.state_hash() == initial and env.diff().empty
    assert env.call("get_item", {"item_id": "I03"}).result == item


def test_the_read_cache_never_mixes_the_open_transactions_rows_with_the_committed_ones(pair) -> None:
    env, _ = pair
    store = env._state()
    read = "SELECT note FROM items WHERE item_id = ?"
    store.begin()
    assert store.run("query", read, ["I03"], Session.WRITE, cached=True) == [{"note": None}]  # items not written yet
    store.run("execute", "UPDATE items SET note = 'held' WHERE item_id = ?", ["I03"], Session.WRITE)
    hits = store.reads.hits
    assert store.run("query", read, ["I03"], Session.WRITE, cached=True) == [{"note": "held"}]  # from DuckDB
    assert store.reads.hits == hits
    # The committed session never sees the open transaction: its reads may use the cache.
    assert store.run("query", read, ["I03"], Session.COMMITTED, cached=True) == [{"note": None}]
    assert store.reads.hits == hits + 1
    store.rollback()
    assert store.run("query", read, ["I03"], Session.COMMITTED, cached=True) == [{"note": None}]
    store.begin()
    store.run("execute", "UPDATE items SET note = 'kept' WHERE item_id = ?", ["I03"], Session.WRITE)
    assert store.run("query", read, ["I03"], Session.WRITE, cached=True) == [{"note": "kept"}]
    store.commit()
    assert store.run("query", read, ["I03"], Session.COMMITTED, cached=True) == [{"note": "kept"}]  # new version


def test_closing_an_env_discards_its_held_trial(shop_file: Path) -> None:
    env = load_env(shop_file, seed=5)
    assert env.peek(*SELL).ok and env._held is not None
    store = env._state()
    env.close()
    assert env._held is None and not store.in_transaction


def test_with_memo_off_nothing_is_held_and_every_call_runs(shop_file: Path) -> None:
    with load_env(shop_file, seed=5, memo_size=0) as env:
        runs = RunCounter(env)
        assert env.peek(*SELL).ok and env._held is None and not env._state().in_transaction
        assert env.call(*SELL).ok and runs.runs == 2


def test_a_held_trial_whose_commit_fails_is_a_tool_crash_and_changes_nothing(pair, monkeypatch) -> None:
    env, plain = pair
    store = env._state()
    assert env.peek(*SELL).ok

    def failing_commit() -> None:
        store.rollback()
        raise DbError("simulated commit failure")

    with monkeypatch.context() as patch:
        patch.setattr(store, "commit", failing_commit)
        crashed = env.call(*SELL)
    assert crashed.error is not None and crashed.error.type == "ToolCrash"
    assert "could not be committed: simulated commit failure" in crashed.error.message
    assert env._held is None and not store.in_transaction
    _same_state(env, plain)
    assert env.call(*NOTE) == plain.call(*NOTE)
    _same_state(env, plain)


TIMEOUT = 0.5
SPIN_AFTER_WRITE = 'db.execute("UPDATE items SET qty = qty + 100")\nwhile True:\n    pass'
HEAVY_READ = 'return db.one("SELECT sum(hash(i)) AS s FROM range(?) t(i)", [n])'
HEAVY_WRITE = 'db.execute("UPDATE items SET qty = qty + 1")\n' + HEAVY_READ
BUMP = 'db.execute("UPDATE items SET qty = qty + 1 WHERE item_id = ?", [item_id])\nreturn {"bumped": item_id}'


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    source = module_source(
        tool_source("spin_after_write", SPIN_AFTER_WRITE, writes=True, params={}),
        tool_source("heavy_write", HEAVY_WRITE, writes=True, params={"n": "int"}),
        tool_source("heavy_read", HEAVY_READ, params={"n": "int"}),
        tool_source("bump", BUMP, writes=True, params={"item_id": "str"}))
    env = load_source(tmp_path_factory.mktemp("held"), "held", source, limits=Limits(timeout_s=TIMEOUT))
    yield env
    env.close()


def _heavy_rows() -> int:
    """Rows DuckDB needs about 2 s to hash on this machine (well past TIMEOUT)."""
    import time

    con = duckdb.connect(":memory:", config={"threads": 1})
    start = time.perf_counter()
    con.execute("SELECT sum(hash(i)) FROM range(5000000) t(i)").fetchall()
    con.close()
    return int(5_000_000 / (time.perf_counter() - start) * 4 * TIMEOUT)


def test_a_trial_that_times_out_holds_nothing(limited: Environment) -> None:
    import time

    limited.reset()
    initial = limited.state_hash()
    for name, args in (("spin_after_write", {}), ("heavy_write", {"n": _heavy_rows()})):
        start = time.monotonic()
        result = limited.peek(name, args)
        assert time.monotonic() - start < 10.0  # a timeout, not a hang (any load)
        # Killed at the deadline, or its SQL interrupted: a timeout either way, never a crash.
        assert result.error is not None and result.error.type == "ToolTimeout", (name, result)
        assert limited._held is None and not limited._state().in_transaction
        assert limited.state_hash() == initial
    assert limited.call("bump", {"item_id": "I01"}).ok  # the write session is usable again
    assert limited.query("SELECT qty FROM items WHERE item_id = 'I01'") == [{"qty": 2}]


def test_runaway_sql_on_the_committed_session_is_interrupted_and_leaves_a_held_trial_intact(
        limited: Environment) -> None:
    import time

    limited.reset()
    runs = RunCounter(limited)
    assert limited.peek("bump", {"item_id": "I02"}).ok
    start = time.monotonic()
    result = limited.call("heavy_read", {"n": _heavy_rows()})
    assert result.error is not None and result.error.type == "ToolTimeout"
    assert time.monotonic() - start < 10.0  # a timeout, not a hang (any load)
    assert limited._held is not None
    bumped = limited.call("bump", {"item_id": "I02"})
    assert bumped.ok and bumped.result == {"bumped": "I02"}
    assert limited.query("SELECT qty FROM items WHERE item_id = 'I02'") == [{"qty": 3}]
    assert runs.runs == 2  # the trial and the heavy read; the call committed the trial


def test_the_write_session_is_as_locked_down_as_the_main_one(tmp_path: Path) -> None:
    with load_env("retail", seed=1) as env:
        store = env._state()
        for connection in (store.connection, store.writer):
            assert connection.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
            for statement in ("SELECT * FROM read_csv('/etc/passwd')", f"ATTACH '{tmp_path / 'x.db'}'",
                              f"COPY orders TO '{tmp_path / 'out.csv'}'", "LOAD httpfs",
                              "SET enable_external_access = true", "SET lock_configuration = false",
                              "SET TimeZone = 'America/New_York'", "SET memory_limit = '64GB'"):
                with pytest.raises(duckdb.Error):
                    connection.execute(statement)
        assert not (tmp_path / "out.csv").exists() and not (tmp_path / "x.db").exists()


def test_a_write_session_statement_needs_an_open_transaction() -> None:
    with load_env("retail", seed=1) as env:
        store = env._state()
        with pytest.raises(RuntimeError):
            store.run("execute", "UPDATE products SET stock = 0", [], Session.WRITE)
        with pytest.raises(RuntimeError):
            store.insert("products", [])


# ------------------------------------------------------------------ randomized equivalence

def _retail_pools(env: Environment) -> dict[str, list[Any]]:
    def ids(sql: str) -> list[Any]:
        return [next(iter(row.values())) for row in env.query(sql)]

    orders = ids("SELECT order_id FROM (SELECT order_id, status, row_number() OVER (PARTITION BY status "
                 "ORDER BY order_id) AS n FROM orders) WHERE n <= 3 ORDER BY order_id")
    return {
        "customer": ids("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 5"),
        "email": ids("SELECT email FROM customers ORDER BY customer_id LIMIT 3"),
        "product": ids("SELECT product_id FROM products ORDER BY product_id LIMIT 6"),
        "order": orders,
        "pending": ids("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 6"),
        "delivered": ids("SELECT order_id FROM orders WHERE status = 'delivered' ORDER BY delivered_on DESC LIMIT 4"),
        "items": {o["order_id"]: ids(f"SELECT item_id FROM order_items WHERE order_id = '{o['order_id']}' "
                                     "ORDER BY item_id") for o in env.query("SELECT order_id FROM orders")},
        "return": [*ids("SELECT return_id FROM returns ORDER BY return_id LIMIT 2"), "R9999"],
    }


def _retail_call(rng: random.Random, pools: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    order = rng.choice(pools["order"])
    # Writes mostly on orders they can act on: most trials succeed, as the generator's do.
    pending = rng.choice(pools["pending"]) if rng.random() < 0.7 else order
    delivered = rng.choice(pools["delivered"]) if rng.random() < 0.7 else order
    customer = rng.choice(pools["customer"])
    options: list[tuple[str, dict[str, Any]]] = [
        ("get_customer", {"customer_id": customer}),
        ("find_customer_by_email", {"email": rng.choice(pools["email"])}),
        ("list_customer_orders", {"customer_id": customer, "status": rng.choice([None, "pending", "delivered"])}),
        ("get_product", {"product_id": rng.choice(pools["product"])}),
        ("search_products", {"query": "a", "limit": 3}),
        ("get_order", {"order_id": order}),
        ("get_return", {"return_id": rng.choice(pools["return"])}),
        ("place_order", {"customer_id": customer, "items": [
            {"product_id": rng.choice(pools["product"]), "quantity": rng.randint(1, 3)}
            for _ in range(rng.randint(1, 2))], "payment_method": rng.choice(["credit_card", "paypal"])}),
        ("cancel_order", {"order_id": pending, "reason": rng.choice(["no_longer_needed", "other"])}),
        ("update_shipping_address", {"order_id": pending, "street": f"{rng.randint(1, 99)} Elm St",
                                     "city": "Springfield", "state": "IL", "zip_code": "62701"}),
        ("request_return", {"order_id": delivered, "item_ids": pools["items"][delivered][:rng.randint(1, 2)],
                            "reason": rng.choice(["damaged", "other"])}),
        ("get_order", {"order_id": 42}),  # invalid arguments
    ]
    writes = options[7:11]
    return rng.choice(writes) if rng.random() < 0.6 else rng.choice(options)


QUERIES = [
    "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status",
    "SELECT product_id, stock FROM products ORDER BY product_id",
    "SELECT count(*) AS n, sum(refund_amount) AS total FROM returns",
    "SELECT order_id, ship_street, status FROM orders ORDER BY order_id DESC LIMIT 5",
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.slow
def test_random_operations_give_what_an_env_without_held_trials_gives(seed: int) -> None:
    rng = random.Random(f"held:{seed}")
    with load_env("retail", seed=seed) as env, load_env("retail", seed=seed, memo_size=0) as plain:
        pools = _retail_pools(env)
        runs = RunCounter(env)
        snaps: list[tuple[Snapshot, Snapshot]] = [(env.initial, plain.initial)]
        last_peek: tuple[str, dict[str, Any]] | None = None
        committed_held = 0
        for step in range(300):
            roll = rng.random()
            where = f"step {step}"
            if last_peek is not None and rng.random() < 0.5:  # the generator's pattern: try it, then make it
                held = env._held is not None and env._held.key == env.memo.key(env._state_id, *last_peek)
                before = runs.runs
                assert env.call(*last_peek) == plain.call(*last_peek), (where, last_peek)
                if held:
                    assert runs.runs == before, where  # committed, not run
                    committed_held += 1
                last_peek = None
            elif roll < 0.3:
                last_peek = _retail_call(rng, pools)
                assert env.peek(*last_peek) == plain.peek(*last_peek), (where, last_peek)
            elif roll < 0.6:
                name, args = _retail_call(rng, pools)
                assert env.call(name, args) == plain.call(name, args), (where, name, args)
            elif roll < 0.68:
                sql = rng.choice(QUERIES)
                assert env.query(sql) == plain.query(sql), (where, sql)
            elif roll < 0.75:
                snaps.append((env.snapshot(), plain.snapshot()))
            elif roll < 0.82:
                mine, theirs = rng.choice(snaps)
                env.restore(mine)
                plain.restore(theirs)
            elif roll < 0.85:
                env.reset()
                plain.reset()
            elif roll < 0.92:
                assert env.state_hash() == plain.state_hash(), where
                mine, theirs = rng.choice(snaps)
                assert env.state_hash(mine) == plain.state_hash(theirs), where
            else:
                mine, theirs = rng.choice(snaps)
                assert env.diff() == plain.diff(), where
                assert env.diff(mine) == plain.diff(theirs), where
            assert plain._held is None
        assert env.state_hash() == plain.state_hash()
        assert env.diff() == plain.diff()
        assert env._state().writes_committed == plain._state().writes_committed
        assert committed_held >= 10  # the path under test was taken

