"""The store of state hashes and diffs (sandbox.state_summaries) is bounded by bytes as
well as by entries: a diff of a call that rewrote a big table weighs megabytes, and 256
of them would grow the engine by gigabytes (issue 15 class 4)."""

from __future__ import annotations

from envkit import load_source, module_source, tool_source

from sandbox.state_diff import StateDiff, TableDiff
from sandbox.state_summaries import MAX_ENTRY_BYTES, StateSummaries


def diff_of(rows: int, width: int = 100) -> StateDiff:
    return StateDiff(tables={"t": TableDiff(added=[{"k": i, "text": "x" * width} for i in range(rows)])})


def test_summaries_are_dropped_once_their_bytes_pass_the_cap():
    store = StateSummaries(enabled=True, max_entries=1000, max_bytes=50_000)
    for i in range(40):
        store.remember(("diff", f"s{i}"), diff_of(20))  # ~2.5 kB each
    assert store.bytes <= 50_000
    assert 10 < len(store) < 40
    assert store.get(("diff", "s0")) is None  # the oldest went first
    assert store.get(("diff", "s39")) == diff_of(20)


def test_a_diff_heavier_than_one_entry_may_weigh_is_not_kept():
    store = StateSummaries(enabled=True)
    huge = diff_of(MAX_ENTRY_BYTES // 100)
    store.remember(("diff", "big"), huge)
    assert store.get(("diff", "big")) is None and store.bytes == 0 and len(store) == 0
    store.remember(("hash", "small"), "ab" * 32)
    assert store.get(("hash", "small")) == "ab" * 32 and store.bytes == len("hash") + len("small") + 64


def test_the_entry_cap_still_holds_and_the_last_used_stays():
    store = StateSummaries(enabled=True, max_entries=3)
    for name in ("a", "b", "c"):
        store.remember(("hash", name), name * 64)
    assert store.get(("hash", "a")) == "a" * 64  # used: now the newest
    store.remember(("hash", "d"), "d" * 64)
    assert [store.get(("hash", n)) is not None for n in "abcd"] == [True, False, True, True]


def test_remembering_a_key_again_replaces_its_weight():
    store = StateSummaries(enabled=True)
    store.remember(("hash", "s"), "x" * 10)
    store.remember(("hash", "s"), "y" * 30)
    assert len(store) == 1 and store.bytes == len("hash") + len("s") + 30 and store.get(("hash", "s")) == "y" * 30


def test_a_disabled_store_keeps_nothing():
    store = StateSummaries(enabled=False)
    store.remember(("hash", "s"), "x")
    assert store.get(("hash", "s")) is None and store.bytes == 0


def test_an_env_answers_diff_and_hash_from_its_bounded_store(tmp_path):
    source = module_source(tool_source("fill", 'db.execute("UPDATE items SET qty = qty + ?", [n])\nreturn {}',
                                       writes=True, params={"n": "int"}))
    with load_source(tmp_path, "summaries", source) as env:
        assert env.call("fill", {"n": 1}).ok
        first_hash, first_diff = env.state_hash(), env.diff()
        assert first_diff.summary() == "items: 5 changed"
        assert env._summaries.get(("diff", env._state_id)) == first_diff
        assert env.state_hash() == first_hash and env.diff() == first_diff
        assert 0 < env._summaries.bytes <= 16 << 20
        env.reset()
        assert env.diff().empty and env.state_hash() != first_hash
