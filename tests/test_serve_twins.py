"""Twin envs (Environment.twin): another live env of the same module and seed, seeded by
replaying the original's seeding instead of running seed() again, with the call memo
and state summaries shared. A twin must be the env a fresh load gives, state for state
and call for call, and its state must stay its own."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sandbox import load_env
from sandbox.call_memo import CallMemo
from sandbox.errors import CallResult, EnvLoadError
from sandbox.seed_journal import SeedJournal, SeedReplayFailed
from sandbox.state import StateStore
from toolace_mt.generation.workbench import Workbench

ROOT = Path(__file__).resolve().parent.parent


def _rows_in_storage_order(env: object, tables: list[str]) -> dict[str, list[dict]]:
    # No ORDER BY: tools that read without one see this order, so it must match too.
    return {table: env.query(f'SELECT * FROM "{table}"') for table in tables}  # type: ignore[attr-defined]


@pytest.mark.parametrize("env", ["retail", "banking", str(ROOT / "fixtures/envs/ticket.py"),
                                 str(ROOT / "bench/ports/vehicle_control.py")])
def test_a_twin_has_the_state_a_fresh_load_has(env: str) -> None:
    with load_env(env, seed=4, keep_seed=True) as original, load_env(env, seed=4) as fresh:
        assert original.seed_journal is not None and original.seed_journal.requests
        with original.twin() as twin:
            tables = sorted(fresh.tables)
            assert twin.state_hash() == fresh.state_hash() == original.state_hash()
            assert _rows_in_storage_order(twin, tables) == _rows_in_storage_order(fresh, tables)
            assert [t.name for t in twin.tools] == [t.name for t in fresh.tools]
            assert twin.state_id == fresh.state_id == "seed"


def test_a_twin_answers_calls_as_a_fresh_env_and_keeps_its_state_to_itself() -> None:
    with load_env("retail", seed=4, keep_seed=True) as original, load_env("retail", seed=4, memo_size=0) as plain:
        order = original.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")
        order_id = order[0]["order_id"]
        read = original.call("get_order", {"order_id": order_id})
        with original.twin() as twin:
            hits = twin.memo.hits
            again = twin.call("get_order", {"order_id": order_id})
            assert again == read == plain.call("get_order", {"order_id": order_id})
            assert twin.memo.hits == hits + 1  # the original's outcome, from the shared memo
            before = original.state_hash()
            cancel = {"order_id": order_id, "reason": "no_longer_needed"}
            done = twin.call("cancel_order", cancel)
            assert done.ok and done == plain.call("cancel_order", cancel)
            assert original.state_hash() == before and twin.state_hash() == plain.state_hash() != before
            # The same write on the original reaches the twin's state id: its reads now hit.
            assert original.call("cancel_order", cancel) == done
            assert original.state_id == twin.state_id and original.state_hash() == twin.state_hash()


def test_a_twin_needs_the_seeding_kept() -> None:
    with load_env("retail", seed=1) as env:
        assert env.seed_journal is None
        with pytest.raises(RuntimeError, match="keep_seed"):
            env.twin()


def test_a_journal_whose_statement_fails_is_refused_and_leaves_nothing_open() -> None:
    with load_env("retail", seed=1, keep_seed=True) as env:
        store = StateStore()
        store.create_tables(env.tables_ddl)
        broken = SeedJournal(({"kind": "insert", "table": "no_such_table", "rows": [{"a": 1}]},))
        with pytest.raises(SeedReplayFailed, match="no_such_table"):
            broken.replay(store)
        assert not store.in_transaction
        hostile = SeedJournal(({"kind": "execute", "sql": "ATTACH 'x.db' AS x", "params": []},))
        with pytest.raises(SeedReplayFailed):
            hostile.replay(store)  # replayed statements pass the SQL policy again
        store.close()


def test_a_shared_memo_keeps_its_bounds_under_threads() -> None:
    memo = CallMemo(size=50)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(400):
                key = memo.key("seed", "tool", {"i": (i * 7 + worker) % 90})
                memo.remember(key, CallResult(ok=True, result={"i": i}), False)
                known = memo.get(key)
                if known is not None:
                    memo.answer(known)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(memo._outcomes) <= 50 and memo.bytes == sum(o.weight for o in memo._outcomes.values())


def test_sibling_benches_share_the_rows_of_states_already_seen() -> None:
    first = Workbench("retail", 2)
    sibling = first.sibling()
    try:
        table = sorted(first.catalog.primary_keys)[0]
        rows = first.rows(table)
        assert sibling.rows(table) is rows  # same state id: the rows already read
        order = ", ".join(f'"{k}"' for k in first.catalog.primary_keys[table])
        assert rows == sibling.env.query(f'SELECT * FROM "{table}" ORDER BY {order} LIMIT 200')
        before = sibling.env.snapshot()
        pending = sibling.env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0]
        assert sibling.env.call("cancel_order", {"order_id": pending["order_id"],
                                                         "reason": "no_longer_needed"}).ok
        changed = sibling.rows("orders")
        assert changed is not first.rows("orders")  # another state id: read again, not the seeded rows
        assert changed == sibling.env.query('SELECT * FROM "orders" ORDER BY "order_id" LIMIT 200')
        sibling.env.restore(before)
        assert sibling.rows("orders") is first.rows("orders")
    finally:
        sibling.close()
        first.close()


def test_a_twin_whose_worker_describes_other_tools_is_refused() -> None:
    with load_env("retail", seed=1, keep_seed=True) as env:
        first = env._reply.tools[0]
        altered = first.model_copy(update={"function": {**first.function, "description": "something else"}})
        env._reply = env._reply.model_copy(update={"tools": [altered, *env._reply.tools[1:]]})
        with pytest.raises(EnvLoadError, match="other tools or TABLES than the env it is a twin of"):
            env.twin()
