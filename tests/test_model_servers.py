"""Several model servers (repeated `--base-url`) against real HTTP servers on 127.0.0.1:
each request goes to the least-loaded server, a failing server is taken out of rotation
and its request answered by another, a server back up is used again, and a generate run
whose second server dies mid-run writes the same bytes as a one-server run."""

from __future__ import annotations

import re
import shlex
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fake_model import ScriptedModel
from fake_openai_server import FakeOpenAIServer, FakeReply, error_body

from toolace_mt.cli import _model_settings, build_parser, main
from toolace_mt.llm import ChatClient, ModelError, ModelSettings
from toolace_mt.llm.servers import Server, ServerPool

HELLO = [{"role": "user", "content": "hello"}]


def settings(*servers: FakeOpenAIServer, **overrides: Any) -> ModelSettings:
    values: dict[str, Any] = {"model": "fake-model", "base_url": [s.base_url for s in servers], "cache_path": None,
                              "backoff": 0.05, "max_backoff": 0.5, "max_retries": 1, "timeout": 5.0, **overrides}
    return ModelSettings(**values)


def test_requests_go_to_the_least_loaded_server() -> None:
    """Server a is slow: while its requests are in flight, the next ones go to b."""
    release = threading.Event()

    def slow(body: dict[str, Any]) -> dict[str, Any]:
        release.wait(5)
        return {"content": "a"}

    with FakeOpenAIServer(slow) as a, FakeOpenAIServer(lambda body: {"content": "b"}) as b, \
            ChatClient(settings(a, b, concurrency=4)) as client, ThreadPoolExecutor(4) as pool:
        first = pool.submit(client.complete, HELLO, stage="test")  # a (listed first, both idle)
        deadline = time.monotonic() + 5
        while a.request_count < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        # a has one in flight, b none: the next three go to b one after another (each done before the next)
        answers = [client.complete(HELLO, stage="test").message["content"] for _ in range(3)]
        release.set()
        assert first.result().message["content"] == "a"
    assert answers == ["b", "b", "b"]
    assert (a.request_count, b.request_count) == (1, 3)
    assert client.answered_by_server == {a.base_url: 1, b.base_url: 3}


def test_a_failing_server_is_left_and_its_request_answered_by_another() -> None:
    with FakeOpenAIServer(lambda body: FakeReply(status=503, body=error_body("overloaded", "server_error"))) as bad, \
            FakeOpenAIServer(lambda body: {"content": "ok"}) as good, \
            ChatClient(settings(bad, good, max_retries=0, backoff=30.0, max_backoff=60.0)) as client:
        answers = [client.complete(HELLO, stage="test").message["content"] for _ in range(5)]
    assert answers == ["ok"] * 5  # max_retries 0: the failover to a server that is up is not a retry
    assert bad.request_count == 1  # out of rotation after its first 503 (for the 30 s backoff)
    assert good.request_count == 5


def test_a_server_down_then_back_is_used_again_after_its_backoff() -> None:
    with FakeOpenAIServer(lambda body: {"content": "a"}) as a, FakeOpenAIServer(lambda body: {"content": "b"}) as b, \
            ChatClient(settings(a, b, backoff=0.2)) as client:
        a.stop()
        assert client.complete(HELLO, stage="test").message["content"] == "b"  # refused by a, answered by b
        assert client.complete(HELLO, stage="test").message["content"] == "b"  # a out of rotation
        a.start()
        time.sleep(0.3)  # past a's backoff: a is tried again (listed first, both idle)
        assert client.complete(HELLO, stage="test").message["content"] == "a"


def test_every_server_failing_gives_one_message_naming_the_server() -> None:
    def broken(body: dict[str, Any]) -> FakeReply:
        return FakeReply(status=500, body=error_body("boom", "server_error"))

    with FakeOpenAIServer(broken) as a, FakeOpenAIServer(broken) as b, \
            ChatClient(settings(a, b, max_retries=1)) as client:
        with pytest.raises(ModelError, match=r"the server at http://127\.0\.0\.1:\d+/v1 kept failing \(500: boom\)"):
            client.complete(HELLO, stage="test")
        # a, then b at once (failover), then after the backoff one counted retry
        assert a.request_count + b.request_count == 3


def test_least_loaded_pick_prefers_listed_order_and_skips_servers_out_of_rotation() -> None:
    pool = ServerPool([Server("http://a/v1", None), Server("http://b/v1", None)],  # type: ignore[arg-type]
                      backoff=1.0, max_backoff=4.0)
    a, b = pool.servers
    assert pool.pick(0.0) is a
    a.in_flight = 2
    assert pool.pick(0.0) is b
    pool.failed(b, now=10.0)
    assert pool.pick(10.5) is a and pool.up_count(10.5) == 1  # b out for 1 s
    assert pool.pick(11.0) is b  # back, and least loaded
    pool.failed(b, now=11.0)
    assert b.down_until == 13.0  # second failure in a row: 2 s
    a.down_until = 20.0
    assert pool.pick(12.0) is b and pool.wait_for_any(12.0) == 1.0  # all down: the one back first
    pool.succeeded(b)
    assert b.failures == 0 and pool.up_count(12.0) == 1


@pytest.mark.parametrize("given", [["ftp://x/v1"], ["http://a/v1", "http://a/v1"]])
def test_bad_base_urls_are_refused_with_a_clear_error(given: list[str], tmp_path: Path, capsys) -> None:
    argv = ["generate", "--env", "retail", "-n", "1", "-o", str(tmp_path / "o.jsonl"), "--backend", "openai",
            "--model", "m"]
    for url in given:
        argv += ["--base-url", url]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--base-url" in err and ("not an http" in err or "same server twice" in err)


@pytest.mark.slow
@pytest.mark.parametrize(("method", "concurrency"), [("naig", "4"), ("mas", "1")])
def test_records_do_not_depend_on_which_server_answered(method: str, concurrency: str, tmp_path: Path) -> None:
    """Two servers, the first listed answering a few requests and then failing (502) for
    the rest of the run: the output is byte-identical to a run against one server with the
    same seed. (MAS runs one request at a time: the scripted model's MAS user remembers
    what it asked for, so its answers depend on the order requests reach it.)"""
    def run(out: Path, *servers: FakeOpenAIServer) -> None:
        urls = [arg for s in servers for arg in ("--base-url", s.base_url)]
        assert main(["generate", "--env", "retail", "-n", "3", "--seed", "7", "-o", str(out), "--backend", "openai",
                     "--model", "fake-model", "--method", method, "--no-cache", "--concurrency", concurrency,
                     "--max-retries", "1", *urls]) == 0

    with closing(ScriptedModel("retail", 7)) as model, FakeOpenAIServer(model) as one:
        run(tmp_path / "one.jsonl", one)
    dying: list[FakeOpenAIServer] = []

    with closing(ScriptedModel("retail", 7)) as model:
        def failing_later(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
            if dying[0].request_count > 6:
                return FakeReply(status=502, body=error_body("bad gateway", "server_error"))
            return model(body)

        with FakeOpenAIServer(failing_later) as first, FakeOpenAIServer(model) as second:
            dying.append(first)
            run(tmp_path / "two.jsonl", first, second)
            assert first.request_count > 6 and second.request_count > 0  # both answered, then the first failed
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def test_the_readme_several_servers_example_parses_to_two_servers() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, re.S) if "gpu1:8000" in b)
    command = shlex.split(block.split("\n", 1)[1].replace("\\\n", " "))
    assert command[0] == "toolace-mt"
    args = build_parser().parse_args(command[1:])
    assert args.base_url == ["http://gpu0:8000/v1", "http://gpu1:8000/v1"]
    settings = _model_settings(args)
    assert settings.base_urls == args.base_url and settings.concurrency == 64
