"""`toolace-mt verify --backend openai`: the judge's sub-questions asked of a model, against
a real OpenAI-compatible server on 127.0.0.1 (tests/fake_openai_server.py) whose judge
answers are scripted here. A file passes when the judge says yes, a chosen dialogue fails
with the judge's reason when it says no, --workers 2 prints what 1 does, an answer still
invalid after the re-asks fails only that dialogue, run-level faults stop the run with one
line (exit 1), the cache serves a repeated run, and --backend offline is unchanged.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer, FakeReply

from toolace_mt.cli import main
from toolace_mt.llm.prompts import task_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "dialogues" / "retail.jsonl"
RECORDS = [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]
CHOSEN = "retail-mistyped-order-number"
REASON = "the assistant says the address was changed before the call succeeded"
SUB_QUESTIONS = ("judge_coherence", "judge_faithfulness", "judge_task_completion")


@pytest.fixture(autouse=True)
def _no_model_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TOOLACE_MODEL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _first_user(record: dict[str, Any]) -> str:
    return next(m["content"] for m in record["messages"] if m["role"] == "user")


CHOSEN_OPENING = _first_user(next(r for r in RECORDS if r["id"] == CHOSEN))
assert sum(_first_user(r) == CHOSEN_OPENING for r in RECORDS) == 1


def _about_chosen(body: dict[str, Any]) -> bool:
    conversation = json.loads(body["messages"][1]["content"])["conversation"]
    return any(m.get("content") == CHOSEN_OPENING for m in conversation)


def judge(say_no: Callable[[dict[str, Any]], bool] = lambda body: False) -> Callable[[dict[str, Any]], Any]:
    """A model that answers every judge sub-question yes, except where `say_no(body)`."""
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        task = task_of(body["messages"][0]["content"])
        assert task in SUB_QUESTIONS, task
        if say_no(body):
            return {"content": json.dumps({"passed": False, "reason": REASON, "message_index": 3})}
        return {"content": json.dumps({"passed": True, "reason": "", "message_index": None})}
    return handler


def faithfulness_of_chosen(body: dict[str, Any]) -> bool:
    return task_of(body["messages"][0]["content"]) == "judge_faithfulness" and _about_chosen(body)


def verify(server: FakeOpenAIServer | str, *extra: str, files: tuple[Path, ...] = (FIXTURE,)) -> int:
    base_url = server if isinstance(server, str) else server.base_url
    return main(["verify", *map(str, files), "--backend", "openai", "--model", "fake-model", "--base-url", base_url,
                 *extra])


def json_rows(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_the_model_judge_passes_the_fixture_file_when_it_says_yes(tmp_path: Path, capsys) -> None:
    report = tmp_path / "report.json"
    with FakeOpenAIServer(judge()) as server:
        assert verify(server, "--no-cache", "--json", "--report", str(report), "--price-in", "1",
                      "--price-out", "2") == 0
        bodies = server.requests
    out = capsys.readouterr()
    rows = json_rows(out.out)
    assert [r["id"] for r in rows] == [r["id"] for r in RECORDS] and all(r["passed"] for r in rows)
    # one request per sub-question per dialogue, each its own prompt, seeded by the dialogue
    assert len(bodies) == 3 * len(RECORDS)
    assert sorted(task_of(b["messages"][0]["content"]) for b in bodies) == sorted(SUB_QUESTIONS * len(RECORDS))
    # a judgement is asked at temperature 0 (--judge-temperature), whatever --temperature says
    assert all(b["model"] == "fake-model" and "seed" in b and b["temperature"] == 0.0 for b in bodies)
    figures = json.loads(report.read_text())["judge_model"]
    assert figures["model"] == "fake-model" and figures["calls"] == 15 and figures["cached_answers"] == 0
    assert figures["tokens"]["in"] > 0 and figures["tokens"]["out"] > 0 and figures["cost_usd"] > 0
    assert (f"judged by model fake-model: 15 calls, tokens paid {figures['tokens']['in']} in / "
            f"{figures['tokens']['out']} out, cost ${figures['cost_usd']:.4f}; 0 answers from the cache") in out.err


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_a_dialogue_the_judge_says_no_to_fails_with_its_reason(tmp_path: Path, capsys) -> None:
    kept = tmp_path / "kept.jsonl"
    with FakeOpenAIServer(judge(faithfulness_of_chosen)) as server:
        assert verify(server, "--no-cache", "--json", "--keep-passed", str(kept)) == 1
    rows = {r["id"]: r for r in json_rows(capsys.readouterr().out)}
    assert [i for i, r in rows.items() if not r["passed"]] == [CHOSEN]
    assert rows[CHOSEN]["failures"] == [{"check": "judge", "message": f"faithfulness: {REASON}",
                                         "message_index": 3}]
    assert [json.loads(line)["id"] for line in kept.read_text().splitlines()] == \
        [r["id"] for r in RECORDS if r["id"] != CHOSEN]

    with FakeOpenAIServer(judge(faithfulness_of_chosen)) as server:  # the text table names it too
        assert verify(server, "--no-cache") == 1
    out = capsys.readouterr().out
    assert f"FAIL {CHOSEN} ({FIXTURE}:" in out and f"  judge: faithfulness: {REASON} [message 3]" in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith(("judge ", "dial"))}
    assert table == {"judge": ["4", "1"], "dialogues": ["4", "1"]}


@pytest.mark.slow
def test_two_workers_print_what_one_does(tmp_path: Path, capsys) -> None:
    files = (FIXTURE, ROOT / "fixtures" / "dialogues" / "banking.jsonl", FIXTURE)  # more than one batch
    outputs, reports = [], []
    with FakeOpenAIServer(judge(faithfulness_of_chosen)) as server:
        for workers in ("1", "2"):
            report = tmp_path / f"report{workers}.json"
            assert verify(server, "--no-cache", "--json", "--workers", workers, "--report", str(report),
                          files=files) == 1
            outputs.append(capsys.readouterr().out)
            reports.append(json.loads(report.read_text()))
    assert outputs[0] == outputs[1]
    rows = json_rows(outputs[0])
    assert len(rows) > 8 and [r["id"] for r in rows if not r["passed"]] == [CHOSEN, CHOSEN]
    one, two = reports
    assert one["judge_model"]["calls"] == two["judge_model"]["calls"] == 3 * len(rows)
    assert one["judge_model"]["tokens"] == two["judge_model"]["tokens"]
    assert one["failures"] == two["failures"]


def test_an_answer_invalid_after_the_re_asks_fails_that_dialogue_and_the_run_goes_on(capsys) -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        if task_of(body["messages"][0]["content"]) == "judge_coherence" and _about_chosen(body):
            return {"content": "I think it is fine."}  # no JSON object, every time
        return judge()(body)

    with FakeOpenAIServer(handler) as server:
        assert verify(server, "--no-cache", "--json", "--max-reasks", "1") == 1
        asked = [b for b in server.requests if _about_chosen(b)]
    rows = {r["id"]: r for r in json_rows(capsys.readouterr().out)}
    assert [i for i, r in rows.items() if not r["passed"]] == [CHOSEN]
    assert rows[CHOSEN]["failures"] == [{
        "check": "judge", "message_index": None,
        "message": "coherence: the judge's answer was unusable (verify: the model's answer is still invalid after "
                   "1 re-asks: no JSON object in the answer)"}]
    assert len(asked) == 2 + 2  # coherence asked and re-asked once; faithfulness and task completion once each


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreachable_server_stops_the_run_with_one_line(workers: str, tmp_path: Path, capsys) -> None:
    server = FakeOpenAIServer(judge()).start()
    base_url = server.base_url
    server.stop()  # the port now refuses connections
    report = tmp_path / "report.json"
    assert verify(base_url, "--no-cache", "--max-retries", "0", "--workers", workers, "--report", str(report)) == 1
    out = capsys.readouterr()
    line = _one_line(out.err)
    assert line.startswith(f"toolace-mt: model error: cannot reach the model server at {base_url} (")
    assert line.endswith(f"; is it running? (verify stopped after 0 of {len(RECORDS)} dialogues)")
    assert out.out == "" and not report.exists()  # no table, no report: nothing passed for want of a judge


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_a_wrong_key_or_model_stops_the_run_with_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-wrong")
    with FakeOpenAIServer(judge(), api_key="sk-right") as server:
        assert verify(server, "--no-cache", "--api-key-env", "TEST_KEY", "--workers", "2") == 1
    assert "refused the API key (401: Incorrect API key provided.); set TEST_KEY" in _one_line(capsys.readouterr().err)

    with FakeOpenAIServer(judge(), models=("llama-3.1-8b",)) as server:
        assert verify(server, "--no-cache") == 1
    line = _one_line(capsys.readouterr().err)
    assert "model error: model 'fake-model' not found at" in line and "(the server has: llama-3.1-8b)" in line


@pytest.mark.slow
def test_a_server_error_is_retried_and_the_cache_serves_a_repeated_run(tmp_path: Path, capsys) -> None:
    failed: list[int] = []

    def handler(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
        if not failed:
            failed.append(1)
            return FakeReply(status=503, body={"error": {"message": "busy"}}, headers={"retry-after": "0"})
        return judge(faithfulness_of_chosen)(body)

    cache = tmp_path / "cache.sqlite"
    with FakeOpenAIServer(handler) as server:
        assert verify(server, "--cache", str(cache), "--json") == 1
        first = capsys.readouterr()
        asked = server.request_count
        assert verify(server, "--cache", str(cache), "--json", "--workers", "2") == 1
        second = capsys.readouterr()
        assert server.request_count == asked == 1 + 3 * len(RECORDS)  # not one request more
    assert first.out == second.out
    assert "judged by model fake-model: 15 calls, tokens paid 0 in / 0 out; 15 answers from the cache" in second.err


def test_model_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    with FakeOpenAIServer(judge()) as server:
        monkeypatch.setenv("TOOLACE_MODEL", "fake-model")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        assert main(["verify", str(FIXTURE), "--backend", "openai", "--no-cache", "--judge-temperature", "-1"]) == 0
        bodies = server.requests
    assert len(bodies) == 15 and all("temperature" not in b for b in bodies)
    assert "judged by model fake-model: 15 calls" in capsys.readouterr().out


def test_bad_model_arguments_exit_2(capsys) -> None:
    assert main(["verify", str(FIXTURE), "--backend", "openai"]) == 2
    assert "--backend openai needs a model: --model NAME or TOOLACE_MODEL" in capsys.readouterr().err
    assert main(["verify", str(FIXTURE), "--backend", "openai", "--model", "m", "--timeout", "0"]) == 2
    assert "bad settings: timeout" in capsys.readouterr().err


def test_checks_without_the_judge_ask_the_model_nothing(capsys) -> None:
    with FakeOpenAIServer(judge()) as server:
        assert verify(server, "--no-cache", "--checks", "format,replay") == 0
        assert server.request_count == 0
    assert "judged by" not in capsys.readouterr().out


@pytest.mark.slow
def test_backend_offline_is_unchanged(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never asked
    monkeypatch.setenv("TOOLACE_MODEL", "nobody")
    outputs = []
    for extra in ([], ["--backend", "offline"], ["--backend", "offline", "--model", "x", "--workers", "2"]):
        report = tmp_path / "report.json"
        assert main(["verify", str(FIXTURE), "--json", "--report", str(report), *extra]) == 0
        outputs.append(capsys.readouterr().out)
        assert "judge_model" not in json.loads(report.read_text())
    assert outputs[0] == outputs[1] == outputs[2] and len(json_rows(outputs[0])) == len(RECORDS)
    assert main(["verify", str(FIXTURE)]) == 0
    assert "judged by" not in capsys.readouterr().out


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_help_shows_the_model_judge_and_the_resume_rule() -> None:
    def help_of(command: str) -> str:
        done = subprocess.run([sys.executable, "-m", "toolace_mt", command, "--help"], capture_output=True,
                              text=True, env={**os.environ, "COLUMNS": "200"}, check=True)
        return done.stdout

    verify_help = help_of("verify")
    assert "toolace-mt verify data.jsonl --workers 2 --backend openai --model gpt-4o-mini" in verify_help
    for option in ("--backend {offline,openai}", "--model MODEL", "--base-url BASE_URL", "--api-key-env VAR",
                   "--timeout TIMEOUT", "--max-retries MAX_RETRIES", "--max-reasks MAX_REASKS", "--cache CACHE",
                   "--no-cache", "--temperature TEMPERATURE", "--judge-temperature JUDGE_TEMPERATURE"):
        assert option in verify_help
    assert "--concurrency" not in verify_help  # one request at a time per worker
    generate_help = help_of("generate")
    assert "--concurrency CONCURRENCY" in generate_help and "same arguments" not in generate_help
    assert re.search(r"--resume\s+continue an interrupted run; the settings that decide the records must match\s+"
                     r"\(-n, --workers, --max-attempts may differ\)", generate_help)


def test_readme_model_judge_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys) -> None:
    """The README's verify-with-a-model example, pointed at the fake server."""
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, re.S) if "verify" in b and "--backend openai"
                 in b)
    command = next(line for line in block.splitlines() if line.startswith("toolace-mt verify")).split()
    assert command[1:3] == ["verify", "fixtures/dialogues/retail.jsonl"]
    model = command[command.index("--model") + 1]
    monkeypatch.chdir(ROOT)
    with FakeOpenAIServer(judge(), models=(model,)) as server:
        assert main([*command[1:], "--base-url", server.base_url, "--cache", str(tmp_path / "cache.sqlite")]) == 0
        assert server.request_count == 3 * len(RECORDS)
    assert f"judged by model {model}: 15 calls" in capsys.readouterr().out
