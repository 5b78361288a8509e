"""Issue 15 class 4: env code (or a caller) cannot crash, hang or bloat the engine.

Every probe asserts the typed error, and that nothing else happened: the state hash is
unchanged, the engine still answers the next call with that call's own answer (the
protocol stayed in step), and memory stays bounded.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from envkit import load_source, module_source, tool_source, try_load

from sandbox import EnvLoadError, Limits, protocol
from sandbox.call_memo import MAX_TOTAL_BYTES as MEMO_BYTES
from sandbox.errors import MAX_MESSAGE_CHARS
from sandbox.read_cache import MAX_TOTAL_BYTES as READ_BYTES

LIMITS = Limits(timeout_s=2.0, memory_mb=128)

TOOLS = [
    tool_source("echo", 'return {"x": x}', params={"x": "Any"}),
    tool_source("deep_result", 'x = []\nfor i in range(n):\n    x = [x]\nreturn {"r": x}', params={"n": "int"}),
    tool_source("surrogate_sql", "return db.one(\"SELECT '\\ud800' AS x FROM items LIMIT 1\")", params={}),
    tool_source("surrogate_result", 'return {"r": "a\\udc80b"}', params={}),
    tool_source("surrogate_error", 'raise ToolError("bad \\ud800 value")', params={}),
    tool_source("nan_from_sql", "return db.one(\"SELECT 'nan'::DOUBLE AS x, qty FROM items LIMIT 1\")", params={}),
    tool_source("deep_param", 'x = [1]\nfor i in range(500):\n    x = [x]\nreturn db.one("SELECT ? AS v FROM items '
                              'LIMIT 1", [x])', params={}),
    tool_source("grow", 'grown = []\nwhile True:\n    grown.append("x" * 1000000)', params={}),
    tool_source("long_error", 'raise ToolError("e" * 1000000 + key)', params={"key": "str"}),
    tool_source("long_sql", 'return db.one("SELECT qty FROM items WHERE item_id = \'I01\' " + "AND 1 = 1 " * n)',
                params={"n": "int"}),
    tool_source("bump", 'db.execute("UPDATE items SET qty = qty + 1 WHERE item_id = \'I02\'")\nreturn {"x": x}',
                writes=True, params={"x": "Any"}),
]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    source = module_source(*TOOLS, prelude="from typing import Any\n")
    e = load_source(tmp_path_factory.mktemp("engine"), "engine", source, limits=LIMITS)
    yield e
    e.close()


def still_in_step(env, state: str) -> None:
    """Nothing changed, and the next calls get their own answers."""
    assert env.state_hash() == state
    for value in (1, "two", [3]):
        assert env.call("echo", {"x": value}).result == {"x": value}
    assert env.call("ping").result == {"item_id": "I01", "qty": 1}


@pytest.mark.parametrize("depth", [70, 600, 1000, 5000])
def test_deeply_nested_results_are_a_resource_limit(env, depth):
    state = env.state_hash()
    result = env.call("deep_result", {"n": depth})
    assert result.error is not None and result.error.type == "ResourceLimit", result.error
    assert "nested deeper than 64 levels" in result.error.message
    still_in_step(env, state)


def test_a_result_within_the_nesting_limit_passes(env):
    result = env.call("deep_result", {"n": 60})
    depth, value = 0, result.result["r"]
    while value:
        value, depth = value[0], depth + 1
    assert result.ok and depth == 60


@pytest.mark.parametrize("tool, kind, needle", [
    ("surrogate_sql", "ToolCrash", "lone surrogate"),
    ("surrogate_result", "ToolCrash", "not JSON"),
    ("nan_from_sql", "ToolCrash", "not JSON data"),
    ("deep_param", "ToolCrash", "nested too deeply"),
])
def test_text_and_numbers_json_cannot_carry_are_typed_errors(env, tool, kind, needle):
    state = env.state_hash()
    result = env.call(tool)
    assert result.error is not None and result.error.type == kind and needle in result.error.message, result.error
    still_in_step(env, state)


def test_a_tool_error_with_a_lone_surrogate_is_carried_as_valid_text(env):
    result = env.call("surrogate_error")
    assert result.error is not None and result.error.type == "ToolError"
    assert result.error.message.startswith("bad ") and result.error.message.endswith(" value")
    result.content().encode("utf-8")  # writable into a record
    still_in_step(env, env.state_hash())


@pytest.mark.parametrize("args, needle", [
    ({"x": float("nan")}, "nan is not a JSON number"),
    ({"x": float("inf")}, "inf is not a JSON number"),
    ({"x": [1, {"y": float("-inf")}]}, "x[1].y: -inf"),
    ({"x": "a\ud800"}, "lone surrogate"),
    ({"x": {1: "int key"}}, "key 1 is not a string"),
    ({"x": {1, 2}}, "a set is not JSON data"),
    ({"x": b"bytes"}, "a bytes is not JSON data"),
])
def test_arguments_that_are_not_strict_json_never_reach_the_body(env, args, needle):
    state = env.state_hash()
    for name in ("bump", "echo"):
        result = env.call(name, args)
        assert result.error is not None and result.error.type == "InvalidArguments", result.error
        assert needle in result.error.message and result.error.argument == "x"
        assert env.peek(name, args).error.type == "InvalidArguments"
    assert env.state_hash() == state  # bump's body never ran
    still_in_step(env, state)


def test_deeply_nested_arguments_are_invalid(env):
    state = env.state_hash()
    for depth in (64, 1000, 100000):
        x: list = []
        for _ in range(depth):
            x = [x]
        result = env.call("bump", {"x": x})
        assert result.error is not None and result.error.type == "InvalidArguments"
        assert "nested deeper than 64 levels" in result.error.message
    assert env.state_hash() == state
    still_in_step(env, state)


def test_a_memory_error_then_a_large_request_does_not_deadlock(env):
    state = env.state_hash()
    grown = env.call("grow")
    assert grown.error is not None and grown.error.type == "ResourceLimit"
    big = "y" * (768 << 10)  # far more than a pipe holds (64 KiB), under the 1 MiB argument cap
    started = time.monotonic()
    assert env.call("echo", {"x": big}).error.type == "ResourceLimit"  # over max_result_bytes, but answered
    assert env.call("echo", {"x": big[:1000]}).result == {"x": big[:1000]}
    assert time.monotonic() - started < 10.0  # answered, not deadlocked (any load)
    still_in_step(env, state)


def test_error_messages_are_capped(env):
    result = env.call("long_error", {"key": "k1"})
    assert result.error is not None and result.error.type == "ToolError"
    assert len(result.error.message) <= MAX_MESSAGE_CHARS and "1000002 characters, cut" in result.error.message


def test_sql_longer_than_the_limit_is_a_violation(env):
    state = env.state_hash()
    result = env.call("long_sql", {"n": 20000})  # ~200,000 characters
    assert result.error is not None and result.error.type == "SandboxViolation"
    assert "characters; the limit is 100000" in result.error.message
    still_in_step(env, state)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def hostile_round(env, i: int) -> None:
    env.call("long_error", {"key": f"{i}" + "k" * 300_000})  # 1.3 MB of message, 300 KB of key
    env.call("echo", {"x": f"{i}" + "v" * 60_000})  # a 60 KB result
    env.call("long_sql", {"n": 400 + i})  # a new 4 KB statement each time


def test_hostile_calls_are_kept_within_the_caches_byte_budgets(env):
    memo, reads, store = env.memo.bytes, env._state().reads.bytes, env._state()
    for i in range(8):
        hostile_round(env, i)
    # Kept: the echo outcomes (120 KB each), the 4 KB statements' results (not their policy
    # verdicts). Not kept: the 300 KB keys with their 1.3 MB messages.
    assert env.memo.bytes - memo < 8 * 125_000 and store.reads.bytes - reads < 8 * 5_000
    assert max(len(key[2]) for key in env.memo._outcomes) < 100_000
    assert all(len(sql) <= 4096 for sql in store.policy._cache)
    assert env.memo.bytes <= MEMO_BYTES and store.reads.bytes <= READ_BYTES
    still_in_step(env, env.state_hash())


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="RSS is read from /proc")
def test_hostile_calls_do_not_grow_the_engine(env):
    for i in range(3):  # warm up the allocator
        hostile_round(env, 1000 + i)
    before = _rss_mb()
    for i in range(60):
        hostile_round(env, i)
    grown = _rss_mb() - before
    assert grown < 40, f"the engine grew by {grown:.0f} MB over 180 hostile calls"
    still_in_step(env, env.state_hash())


def test_deeply_nested_defaults_fail_the_load_with_a_message(tmp_path):
    prelude = "DEEP = {}\nfor i in range(900):\n    DEEP = {'a': DEEP}\n"
    source = module_source(tool_source("deep_default", "return {}", params={"x": "dict = DEEP"}), prelude=prelude)
    outcome = try_load(tmp_path, "deep_default", source)
    assert isinstance(outcome, EnvLoadError)
    assert "deep_default" in str(outcome) and "nested deeper than 64 levels" in str(outcome)


def test_a_nan_default_fails_the_load_with_a_message(tmp_path):
    source = module_source(tool_source("nan_default", "return {}", params={"x": "float = float('nan')"}))
    outcome = try_load(tmp_path, "nan_default", source)
    assert isinstance(outcome, EnvLoadError) and "is not JSON data" in str(outcome)


# ------------------------------------------------------------------ the protocol itself

def test_a_write_to_a_pipe_nobody_reads_gives_up_at_its_deadline():
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(write_end, False)
        started = time.monotonic()
        with pytest.raises(protocol.ChannelTimeout):
            protocol.write_all(write_end, b"x" * (8 << 20), time.monotonic() + 0.2)
        assert time.monotonic() - started < 1.0
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.parametrize("body", [
    b'{"a": "\\ud800"}', b'{"a": "\\\\\\udfff"}', b'{"a": NaN}', b'{"a": Infinity}', b'{"a": "\xed\xa0\x80"}',
    b"[1]", b"not json", b"[" * 100000 + b"]" * 100000, b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}",
])
def test_malformed_frames_are_protocol_errors(body):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(body, max_depth=80)


def test_an_escaped_backslash_before_u_is_not_a_surrogate():
    assert protocol.decode(b'{"a": "\\\\ud800"}', max_depth=8) == {"a": "\\ud800"}


def test_a_frame_out_of_step_restarts_the_worker(env):
    """The engine checks every frame's sequence number: a worker answering an earlier
    request is replaced, and the call gets a typed error instead of that answer."""
    worker = env._worker
    worker.loaded()
    restarts = env.worker_restarts
    process = worker._process
    # Plant a stale answer, as a worker that answered twice would leave in the pipe.
    stale = protocol.encode({"op": "done", "ok": True, "result": {"stale": True}, "seq": -5})
    reader, writer = os.pipe()
    os.write(writer, stale)
    os.close(writer)
    original = process.stdout
    try:
        process.stdout = os.fdopen(reader, "rb")
        result = env.call("echo", {"x": "fresh"})
    finally:
        process.stdout.close()
        process.stdout = original
    assert result.ok is False and result.error.type == "ResourceLimit" and "out of step" in result.error.message
    assert env.worker_restarts == restarts + 1
    still_in_step(env, env.state_hash())


def test_the_readme_security_example_runs(capsys):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Security layers"):readme.index("## State: snapshots")]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    exec(compile(block, "README-security", "exec"), {})  # our own README, not model output
    assert capsys.readouterr().out.startswith("OS layer: ")
