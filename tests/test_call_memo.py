"""The call memo: a call made again on the same state is answered from memory, with the
outcome a real run gives; anything that changes the state is still run."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_engine import SHOP

from sandbox import load_env


@pytest.fixture()
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.py"
    path.write_text(SHOP)
    return path


def test_a_read_on_the_same_state_is_answered_from_memory(shop_file: Path) -> None:
    with load_env(shop_file, seed=5) as env, load_env(shop_file, seed=5, memo_size=0) as plain:
        first = env.call("get_item", {"item_id": "I03"})
        again = env.call("get_item", {"item_id": "I03"})
        assert env.memo.hits == 1
        assert again == first == plain.call("get_item", {"item_id": "I03"})
        missing = env.call("get_item", {"item_id": "nope"})
        assert env.call("get_item", {"item_id": "nope"}) == missing and not missing.ok
        assert env.memo.hits == 2
        assert plain.memo.hits == 0  # memo_size=0 runs every call


def test_a_write_changes_the_state_id_so_reads_run_again(shop_file: Path) -> None:
    with load_env(shop_file, seed=5) as env:
        before = env.call("get_item", {"item_id": "I03"}).result
        snap = env.snapshot()
        assert env.call("sell", {"item_id": "I03"}).ok
        after = env.call("get_item", {"item_id": "I03"}).result
        assert after["stock"] == before["stock"] - 1 and env.memo.hits == 0
        env.restore(snap)
        assert env.call("get_item", {"item_id": "I03"}).result == before  # the earlier state's answer
        assert env.memo.hits == 1
        assert env.call("sell", {"item_id": "I03"}).ok  # a write that changes the state runs again
        assert env.call("get_item", {"item_id": "I03"}).result == after  # same writes, same state id
        assert env.memo.hits == 2
        assert env.state_hash() != env.state_hash(snap)


def test_a_failed_write_is_remembered_and_leaves_the_state(shop_file: Path) -> None:
    with load_env(shop_file, seed=5) as env:
        initial = env.state_hash()
        failed = env.call("sell", {"item_id": "I04", "qty": 99})
        assert not failed.ok and "left" in failed.error.message
        assert env.call("sell", {"item_id": "I04", "qty": 99}) == failed
        assert env.memo.hits == 1 and env.state_hash() == initial


def test_peek_tells_a_writes_outcome_without_keeping_it(shop_file: Path) -> None:
    with load_env(shop_file, seed=5) as env:
        initial = env.state_hash()
        seen = env.peek("sell", {"item_id": "I03"})
        assert seen.ok and env.state_hash() == initial and env.diff().empty
        assert env.peek("sell", {"item_id": "I03"}) == seen and env.memo.hits == 1
        done = env.call("sell", {"item_id": "I03"})
        assert done == seen and not env.diff().empty  # call() ran it: the state changed


def test_a_peeked_write_leaves_no_trace_even_without_memo(shop_file: Path) -> None:
    with load_env(shop_file, seed=5, memo_size=0) as env, load_env(shop_file, seed=5, memo_size=0) as plain:
        assert env.peek("sell", {"item_id": "I03"}).ok
        assert env.peek("sell", {"item_id": "I04", "qty": 99}).error.type == "ToolError"
        assert env.peek("sell", {"item_id": 3}).error.type == "InvalidArguments"
        # Same rows, same per-call RNG (seeded by the writes committed), same next outputs.
        assert env.state_hash() == plain.state_hash() and env.diff().empty
        assert env.call("clock").result == plain.call("clock").result
        assert env.call("sell", {"item_id": "I03"}) == plain.call("sell", {"item_id": "I03"})
        assert env.call("clock").result == plain.call("clock").result


def test_same_writes_from_the_seed_give_the_same_hash_and_diff_as_without_memo(shop_file: Path) -> None:
    calls = [("sell", {"item_id": "I03"}), ("set_note", {"item_id": "I02", "note": "x"}),
             ("remove_item", {"item_id": "I05"})]
    with load_env(shop_file, seed=5) as env, load_env(shop_file, seed=5, memo_size=0) as plain:
        first = [env.call(name, args) for name, args in calls]
        hash_first = env.state_hash()
        env.reset()
        outputs = [env.call(name, args) for name, args in calls]
        assert outputs == first and env.state_hash() == hash_first
        assert [plain.call(name, args) for name, args in calls] == outputs
        assert env.state_hash() == plain.state_hash()
        assert env.diff() == plain.diff()
        env.reset()
        assert env.diff().empty and env.state_hash() == plain.state_hash(plain.initial)


def test_answers_are_copies(shop_file: Path) -> None:
    with load_env(shop_file, seed=5) as env:
        env.call("get_item", {"item_id": "I03"}).result["stock"] = -100
        assert env.call("get_item", {"item_id": "I03"}).result["stock"] != -100
        env.call("sell", {"item_id": "I03"})
        env.diff().tables.clear()
        assert "items" in env.diff().tables


def test_the_memo_is_bounded(shop_file: Path) -> None:
    with load_env(shop_file, seed=5, memo_size=2) as env:
        for item in ("I01", "I02", "I03"):
            env.call("get_item", {"item_id": item})
        env.call("get_item", {"item_id": "I01"})  # forgotten: the oldest of three
        assert env.memo.hits == 0
        env.call("get_item", {"item_id": "I03"})
        assert env.memo.hits == 1


def test_outcomes_that_depend_on_the_machine_are_not_remembered() -> None:
    from sandbox.call_memo import CallMemo
    from sandbox.errors import failure

    memo = CallMemo(8)
    for kind in ("ToolTimeout", "ResourceLimit"):
        key = memo.key("seed", "slow", {"kind": kind})
        memo.remember(key, failure(kind, "limit"), changed_state=False)
        assert memo.get(key) is None
    key = memo.key("seed", "slow", {})
    memo.remember(key, failure("ToolError", "no such item"), changed_state=False)
    assert memo.get(key) is not None


def test_a_pool_serves_a_lent_env_and_leaves_closing_it_to_its_owner(shop_file: Path) -> None:
    from toolace_mt.verifier import EnvPool

    with load_env(shop_file, seed=5) as env:
        pool = EnvPool()
        pool.adopt(env, "shop")
        env.call("sell", {"item_id": "I03"})
        assert pool.fresh("shop", 5) is env and env.diff().empty  # reset to the seeded state
        pool.close()
        assert env.call("get_item", {"item_id": "I03"}).ok  # still open
        assert pool.loads == 0


def test_a_run_the_env_just_made_is_told_from_memory(shop_file: Path) -> None:
    calls = [("get_item", {"item_id": "I03"}), ("sell", {"item_id": "I03"}), ("sell", {"item_id": "I04", "qty": 99}),
             ("sell", {"item_id": 3}), ("get_item", {"item_id": "I03"})]
    with load_env(shop_file, seed=5) as env, load_env(shop_file, seed=5, memo_size=0) as plain:
        made = [env.call(name, args) for name, args in calls]
        assert made == [plain.call(name, args) for name, args in calls]
        final = env.state_hash()
        hits = env.memo.hits
        assert env.remembered_run(calls) == made  # every outcome, the invalid call's included
        assert env.memo.hits == hits + 4 and env.state_hash() == final  # nothing ran, nothing moved
        assert env.remembered_run(calls[:2]) == made[:2]  # the later calls changed nothing
        assert env.remembered_run(calls[:1]) is None  # it leads elsewhere than where the env is
        assert env.remembered_run([*calls, ("get_item", {"item_id": "I05"})]) is None  # one never made
        assert plain.remembered_run(calls) is None  # no memo, nothing remembered
        env.reset()
        assert env.remembered_run([]) == [] and env.remembered_run(calls) is None


def test_the_verifier_replays_a_lent_envs_dialogue_from_memory_and_still_catches_tampering() -> None:
    from toolace_mt.jsonl import RecordLine, read_records
    from toolace_mt.verifier import EnvPool, Verifier
    from toolace_mt.verifier.dialogue import Dialogue

    root = Path(__file__).resolve().parent.parent
    record = next(line.record for line in read_records(root / "fixtures" / "dialogues" / "retail.jsonl")
                  if isinstance(line, RecordLine) and any(m.role == "tool" for m in line.record.messages))
    with load_env(record.env, seed=record.seed) as env, Verifier(pool=EnvPool()) as verifier:
        verifier.pool.adopt(env, record.env)
        for site in Dialogue(record).calls:  # as the generator made them
            env.call(site.name, site.arguments)
        calls = len(Dialogue(record).calls)
        hits = env.memo.hits
        assert verifier.verify(record).passed
        assert env.memo.hits >= hits + calls  # every call answered from memory
        tampered = record.model_copy(deep=True)
        tool_message = next(m for m in tampered.messages if m.role == "tool")
        tool_message.content = tool_message.content.replace('"', "'", 2)
        failures = verifier.verify(tampered).failures
        assert [f.check for f in failures if f.check == "replay"] == ["replay"]
        assert "the recorded output differs from the real one" in failures[0].message
