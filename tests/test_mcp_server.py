"""`toolace-mt serve`: the SDK's own client over Streamable HTTP on 127.0.0.1 (one server
for the module) and over stdio: tools, calls, errors, state resources, isolated
sessions, recorded sessions that verify, and bad JSON-RPC that does not hurt."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from sandbox import load_env
from toolace_mt.cli import main
from toolace_mt.jsonl import read_records
from toolace_mt.mcp_server import ServeOptions, SessionError, SessionRegistry
from toolace_mt.record import AssistantMessage, Record
from toolace_mt.verifier import Verifier

ENV, SEED = "retail", 3
START_TIMEOUT = 120.0  # seconds to wait for the server's "serving ..." line (a loaded machine)


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    record: Path
    log: list[str] = field(default_factory=list)


def _drain(server: Server) -> None:
    assert server.process.stderr is not None
    for line in server.process.stderr:
        server.log.append(line.rstrip("\n"))


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    record = tmp_path_factory.mktemp("mcp") / "sessions.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "toolace_mt", "serve", ENV, "--seed", str(SEED), "--transport", "http", "--port", "0",
         "--record", str(record), "--max-sessions", "3", "--warm", "2"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # the server says where it listens before anything else
    found = re.search(r"at (http://127\.0\.0\.1:\d+/mcp)", first)
    if found is None:
        process.kill()
        pytest.fail(f"the server did not start: {first}{process.stderr.read()}")
    server = Server(process, found.group(1), record, [first.rstrip()])
    threading.Thread(target=_drain, args=(server,), daemon=True).start()
    yield server
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def local_env() -> Iterator[Any]:
    """The same env and seed, in this process: what every call must equal."""
    with load_env(ENV, seed=SEED) as env:
        yield env


def _run(coroutine: Any, *args: Any) -> Any:
    return anyio.run(coroutine, *args)


def _text(result: Any) -> str:
    return result.content[0].text


async def _resource(client: Client, uri: str) -> Any:
    return json.loads((await client.read_resource(uri)).contents[0].text)


def _pending_order(env: Any, offset: int = 0) -> str:
    rows = env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1 OFFSET ?",
                     [offset])
    return rows[0]["order_id"]


def _wait_for_record(path: Path, predicate: Any, what: str) -> Record:
    """A session is recorded when the server has closed it, just after the client left."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists():
            for item in read_records(path):
                if not hasattr(item, "record"):
                    continue
                if predicate(item.record):
                    return item.record
        time.sleep(0.1)
    raise AssertionError(f"no record of {what} in {path}")


def _messages(exc: BaseException) -> list[str]:
    """The messages of an exception and of every exception it groups or chains."""
    found = [str(exc)]
    for inner in [*getattr(exc, "exceptions", ()), exc.__cause__, exc.__context__]:
        if inner is not None:
            found += _messages(inner)
    return found


def _calls(record: Record) -> list[tuple[str, dict[str, Any]]]:
    return [(c.function.name, json.loads(c.function.arguments)) for m in record.messages
            if isinstance(m, AssistantMessage) for c in m.tool_calls or []]


def test_tools_are_the_envs_with_our_schemas(http_server: Server, local_env: Any) -> None:
    async def main() -> Any:
        async with Client(http_server.url) as client:
            return client.protocol_version, (await client.list_tools()).tools

    version, tools = _run(main)
    assert version == "2025-11-25"  # the stateless era is refused; the client fell back to the handshake
    assert [t.name for t in tools] == [t.name for t in local_env.tools]
    for listed, spec in zip(tools, local_env.tools, strict=True):
        assert listed.input_schema == spec.parameters
        assert listed.description == spec.description
        assert listed.annotations.read_only_hint is (not spec.writes)


def test_calls_run_like_env_call_and_failures_are_typed_tool_errors(http_server: Server, local_env: Any) -> None:
    order = _pending_order(local_env)
    calls = [("get_order", {"order_id": order}), ("get_order", {"order_id": "#W0"}),
             ("get_order", {"order": order}), ("get_order", {"order_id": 7})]

    async def main() -> list[Any]:
        async with Client(http_server.url) as client:
            return [await client.call_tool(name, args) for name, args in calls]

    results = _run(main)
    for result, (name, args) in zip(results, calls, strict=True):
        expected = local_env.call(name, args)
        assert _text(result) == expected.content()
        assert result.is_error is (not expected.ok)
        if not expected.ok:
            assert result.structured_content == {"error": {"type": expected.error.type,
                                                           "message": expected.error.message}}
    assert [json.loads(_text(r))["error"]["type"] for r in results[1:]] == ["ToolError", "InvalidArguments",
                                                                           "InvalidArguments"]


def test_sessions_are_isolated_and_their_state_is_readable(http_server: Server, local_env: Any) -> None:
    order = _pending_order(local_env, offset=1)
    initial = local_env.state_hash(local_env.initial)

    async def main() -> dict[str, Any]:
        async with Client(http_server.url) as a, Client(http_server.url) as b:
            cancelled = await a.call_tool("cancel_order", {"order_id": order})
            seen = {
                "cancelled": cancelled,
                "a_hash": await _resource(a, "toolace://state/hash"),
                "b_hash": await _resource(b, "toolace://state/hash"),
                "a_diff": await _resource(a, "toolace://state/diff"),
                "b_diff": await _resource(b, "toolace://state/diff"),
                "tables": await _resource(a, "toolace://state/tables"),
            }
            for name, client in (("a_rows", a), ("b_rows", b)):
                page = await _resource(client, "toolace://tables/orders?offset=0&limit=500")
                seen[name] = {row["order_id"]: row["status"] for row in page["rows"]}
            with pytest.raises(MCPError, match="no table 'nope'"):
                await a.read_resource("toolace://tables/nope")
            return seen

    seen = _run(main)
    assert not seen["cancelled"].is_error
    assert seen["a_hash"]["initial_state_hash"] == initial and seen["a_hash"]["state_hash"] != initial
    assert seen["b_hash"] == {"state_hash": initial, "initial_state_hash": initial, "calls": 0}
    changed = seen["a_diff"]["tables"]["orders"]["changed"]
    assert [c["key"] for c in changed] == [{"order_id": order}]
    assert changed[0]["columns"]["status"] == {"before": "pending", "after": "cancelled"}
    assert seen["b_diff"] == {"tables": {}}
    assert seen["a_rows"][order] == "cancelled" and seen["b_rows"][order] == "pending"
    assert {t["name"]: t["rows"] for t in seen["tables"]["tables"]} == local_env.row_counts()


def test_concurrent_sessions_each_see_only_their_own_writes(http_server: Server, local_env: Any) -> None:
    orders = [_pending_order(local_env, offset=3 + i) for i in range(3)]
    seen: dict[str, Any] = {}

    async def one(order: str) -> None:
        async with Client(http_server.url) as client:
            await client.call_tool("get_order", {"order_id": order})
            await client.call_tool("cancel_order", {"order_id": order})
            diff = await _resource(client, "toolace://state/diff")
            seen[order] = [c["key"]["order_id"] for c in diff["tables"]["orders"]["changed"]]

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for order in orders:
                group.start_soon(one, order)

    _run(main)
    assert seen == {order: [order] for order in orders}


def test_a_recorded_session_verifies(http_server: Server, local_env: Any) -> None:
    order = _pending_order(local_env, offset=2)
    made = [("get_order", {"order_id": order}), ("cancel_order", {"order_id": order, "reason": "other"}),
            ("cancel_order", {"order_id": order})]

    async def main() -> None:
        async with Client(http_server.url) as client:
            for name, args in made:
                await client.call_tool(name, args)

    _run(main)
    record = _wait_for_record(http_server.record, lambda r: _calls(r) == made, "the session")
    assert record.env == ENV and record.seed == SEED and record.env_digest == local_env.digest
    with Verifier(checks=("replay", "state")) as verifier:
        result = verifier.verify(record)
    assert result.passed, result.failures
    outputs = [json.loads(m.content) for m in record.messages if m.role == "tool"]
    assert outputs[1]["status"] == "cancelled" and outputs[2]["error"]["type"] == "ToolError"


def test_bad_json_rpc_is_answered_and_the_server_goes_on(http_server: Server) -> None:
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    for body in [b"{not json", b"[1, 2, 3]", b'{"jsonrpc": "2.0", "id": 1, "method": 42}',
                 b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_order"}}',
                 b"\xff\xfe" * 1000]:
        request = urllib.request.Request(http_server.url, data=body, headers=headers, method="POST")
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=30)
        assert 400 <= error.value.code < 500

    async def main() -> int:
        async with Client(http_server.url) as client:
            return len((await client.list_tools()).tools)

    assert _run(main) > 0
    assert http_server.process.poll() is None


def test_sessions_beyond_the_cap_are_refused(http_server: Server) -> None:
    async def main() -> None:
        async with Client(http_server.url) as a, Client(http_server.url) as b, Client(http_server.url) as c:
            await a.list_tools(), await b.list_tools(), await c.list_tools()
            try:
                async with Client(http_server.url):
                    pass
            except BaseException as exc:  # the client raises it inside an exception group
                assert "Too many open sessions" in _messages(exc)
            else:
                raise AssertionError("a fourth session was opened")

    _run(main)


def test_idle_sessions_are_closed_and_recorded(tmp_path: Path) -> None:
    record = tmp_path / "idle.jsonl"
    options = ServeOptions(env=ENV, seed=SEED, record=record, idle_timeout=0.01, warm=0)
    registry = SessionRegistry(options, lambda text: None)
    session = registry.get("s1")
    assert session.call("get_order", {"order_id": "#W0"}, max_calls=1) is not None
    assert session.call("get_order", {"order_id": "#W0"}, max_calls=1) is None  # the call budget is spent
    time.sleep(0.05)
    assert registry.idle() == ["s1"]
    registry.close("s1", "idle")
    assert not registry.sessions and session.closed
    with pytest.raises(SessionError, match=r"this session was closed \(idle\); open a new one"):
        registry.get("s1")  # never a fresh state under a session's old id
    (line,) = record.read_text(encoding="utf-8").splitlines()
    assert _calls(Record.model_validate_json(line)) == [("get_order", {"order_id": "#W0"})]
    registry.close_all("done")


@pytest.mark.slow  # a server process of its own (~3 s)
def test_stdio_session_end_to_end(tmp_path: Path, local_env: Any) -> None:
    record = tmp_path / "stdio.jsonl"
    order = _pending_order(local_env)
    params = StdioServerParameters(command=sys.executable, args=[
        "-m", "toolace_mt", "serve", ENV, "--seed", str(SEED), "--record", str(record)])

    async def main() -> tuple[list[str], Any, Any]:
        async with Client(params) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            result = await client.call_tool("cancel_order", {"order_id": order})
            return names, result, await _resource(client, "toolace://state/diff")

    names, result, diff = _run(main)
    assert names == [t.name for t in local_env.tools]
    assert json.loads(_text(result))["status"] == "cancelled"
    assert [c["key"] for c in diff["tables"]["orders"]["changed"]] == [{"order_id": order}]
    recorded = _wait_for_record(record, lambda r: True, "the stdio session")
    assert _calls(recorded) == [("cancel_order", {"order_id": order})]
    with Verifier(checks=("replay", "state")) as verifier:
        assert verifier.verify(recorded).passed


@pytest.mark.slow  # a server process of its own (~3 s)
def test_stdio_survives_bad_json_rpc() -> None:
    process = subprocess.Popen([sys.executable, "-m", "toolace_mt", "serve", ENV], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdin is not None and process.stdout is not None
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    lines = ["{not json", "[]", '{"jsonrpc": "2.0", "id": "x", "method": null}', json.dumps(initialize),
             json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
             json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "nope"}}),
             json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})]
    answers: dict[Any, Any] = {}

    def read() -> None:  # the answers, until tools/list's: stdin stays open while the server works
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip():
                answer = json.loads(line)
                answers[answer.get("id")] = answer
                if answer.get("id") == 3:
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.stdin.write("\n".join(lines) + "\n")
        process.stdin.flush()
        reader.join(timeout=120)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()
    assert answers[1]["result"]["serverInfo"]["name"] == f"toolace-mt {ENV}"
    assert answers[2]["result"]["isError"] is True and "nope" in answers[2]["result"]["content"][0]["text"]
    assert len(answers[3]["result"]["tools"]) == 12


def test_bad_serve_arguments_exit_2(capsys: Any) -> None:
    assert main(["serve", "no_such_env"]) == 2
    assert "no_such_env" in capsys.readouterr().err
    assert main(["serve", ENV, "--port", "70000", "--transport", "http"]) == 2
    assert "--port" in capsys.readouterr().err
    assert main(["serve", ENV, "--max-sessions", "0"]) == 2
    assert "--max-sessions" in capsys.readouterr().err
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        assert main(["serve", ENV, "--transport", "http", "--port", str(port)]) == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    finally:
        taken.close()
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "toolace-mt serve retail --transport http" in capsys.readouterr().out


@pytest.mark.slow  # a server process of its own (~3 s)
def test_a_terminated_stdio_server_still_records_its_session(tmp_path: Path) -> None:
    record = tmp_path / "terminated.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "toolace_mt", "serve", ENV, "--record", str(record)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdin is not None and process.stdout is not None
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "get_order", "arguments": {"order_id": "#W1001"}}}
    try:
        for message in (initialize, {"jsonrpc": "2.0", "method": "notifications/initialized"}, call):
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
        answers = [json.loads(process.stdout.readline()) for _ in range(2)]  # stdin stays open: only SIGTERM ends it
        assert [a["id"] for a in answers] == [1, 2]
        process.terminate()
        assert process.wait(timeout=120) == 0
    finally:
        process.kill()
    (line,) = record.read_text(encoding="utf-8").splitlines()
    assert _calls(Record.model_validate_json(line)) == [("get_order", {"order_id": "#W1001"})]
