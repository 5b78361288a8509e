"""`generate --backend openai` end to end against a real OpenAI-compatible server on
127.0.0.1 (tests/fake_openai_server.py) answering as a scripted model (tests/fake_model.py):
NAIG and MAS output that passes `verify`, an invalid answer repaired on re-ask, a dialogue
failing after the re-asks while the run goes on, a failing call fed back as its real
error, a 429, the server going down mid-run and `--resume`, a repeated run served from
the cache, the concurrency bound, and the run-level faults as one clear message.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_model import ScriptedModel
from fake_openai_server import FakeOpenAIServer, FakeReply, error_body

from sandbox import load_env
from toolace_mt.cli import main
from toolace_mt.generation import run as run_module
from toolace_mt.generation.attempt_log import attempts_path, read_attempt_lines
from toolace_mt.llm.prompts import TASKS, prompt, task_of
from toolace_mt.verifier.confirmation import agrees

ENV, SEED = "retail", 7


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedModel]:
    scripted = ScriptedModel(ENV, SEED)
    yield scripted
    scripted.close()


def generate(server: FakeOpenAIServer, out: Path, *extra: str, n: int = 2) -> int:
    return main(["generate", "--env", ENV, "-n", str(n), "--seed", str(SEED), "-o", str(out), "--backend", "openai",
                 "--model", "fake-model", "--base-url", server.base_url, "--max-retries", "1", *extra])


def summary_of(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    out = capsys.readouterr().out
    return json.loads(out[out.index("{"):])


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_prompt_states_its_task_and_json_and_takes_the_settings() -> None:
    for task in TASKS:
        text = prompt(task, subtasks=3, steps_low=1, steps_high=6, steps=4, refine_steps=5)
        assert task_of(text) == task
        assert "$" not in text, f"{task}: an unfilled placeholder"
        if task != "mas_assistant":  # the agent answers with tool calls, not JSON
            assert "Return only this JSON object" in text
    assert "exactly 3 sub-tasks" in prompt("plan", subtasks=3, steps_low=1, steps_high=6)
    assert "from\n1 to 6" in prompt("plan", subtasks=3, steps_low=1, steps_high=6)
    assert "budget of 5 passes" in prompt("refill", refine_steps=5)


@pytest.mark.slow
def test_naig_and_mas_runs_pass_verify(model: ScriptedModel, tmp_path: Path, capsys) -> None:
    with FakeOpenAIServer(model) as server:
        for method in ("naig", "mas"):
            out = tmp_path / f"{method}.jsonl"
            assert generate(server, out, "--method", method, "--no-cache", "--json", "--concurrency", "2",
                            "--price-in", "2.5", "--price-out", "10") == 0
            summary = summary_of(capsys)
            assert summary["accepted"] == 2 and summary["model"] == "fake-model"
            assert summary["tokens"]["in"] > 0 and summary["cost_usd"] > 0 and summary["cached_answers"] == 0
            assert main(["verify", str(out)]) == 0
            for record in records(out):
                assert record["provenance"]["backend"] == "openai" and record["provenance"]["method"] == method
                assert record["provenance"]["cost"]["tokens_in"] > 0
        tasks = {task_of(b["messages"][0]["content"]) for b in server.requests}
    assert {"plan", "skeleton", "reply", "refill", "keep_edits", "mas_user", "judge_coherence",
            "judge_faithfulness", "judge_task_completion"} <= tasks
    assert None in tasks  # the MAS assistant agent, called with the tools
    naig, mas = records(tmp_path / "naig.jsonl"), records(tmp_path / "mas.jsonl")
    assert any(r["provenance"]["ops"] for r in naig)
    assert all("refine" not in r["provenance"]["cost"]["model_calls"] for r in mas)
    assert all("reply" not in r["provenance"]["cost"]["model_calls"] for r in mas)  # paid as the agents' turns
    assert all(r["provenance"]["cost"]["model_calls"]["reply"] >= 1 for r in naig)
    assert all(r["provenance"]["cost"]["model_calls"].get("mas_assistant", 0) >= 1 for r in mas)
    # The MAS agent asks before each write (retail confirms every write) and acts on the user's yes.
    with load_env(ENV, seed=SEED) as env:
        writes = {t.name for t in env.tools if t.writes}
    asked = 0
    for record in mas:
        messages = record["messages"]
        for index, message in enumerate(messages):
            if any(c["function"]["name"] in writes for c in message.get("tool_calls") or []):
                question, answer = messages[index - 2], messages[index - 1]
                assert question["role"] == "assistant" and question["content"].rstrip().endswith("?")
                assert answer["role"] == "user" and agrees(answer["content"]), answer["content"]
                asked += 1
    assert asked


@pytest.mark.parametrize("method", ["naig", "mas"])
@pytest.mark.slow
def test_the_summary_counts_every_token_the_server_billed(model: ScriptedModel, method: str, tmp_path: Path,
                                                          capsys) -> None:
    """Each request costs 10 tokens in and 1 out: the summary's tokens are 10 and 1 per
    request sent, MAS's edits and reply wording (paid as its agents' turns) included."""
    def billed(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
        answer = model(body)
        if isinstance(answer, FakeReply):
            return answer
        return FakeReply(message=answer, usage={"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11})

    with FakeOpenAIServer(billed) as server:
        assert generate(server, tmp_path / "out.jsonl", "--method", method, "--no-cache", "--json",
                        "--concurrency", "1") == 0
        sent = server.request_count
    summary = summary_of(capsys)
    assert sent > 0 and summary["tokens"] == {"in": 10 * sent, "out": sent}


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_invalid_json_answer_is_repaired_on_re_ask(model: ScriptedModel, tmp_path: Path, capsys) -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        if task_of(body["messages"][0]["content"]) == "skeleton" and len(body["messages"]) == 2 \
                and not bad_answers:
            bad_answers.append(body)
            return {"content": 'Sure! {"goal": "x", "request": '}  # cut short: not JSON
        return model(body)

    bad_answers: list[dict[str, Any]] = []
    with FakeOpenAIServer(handler) as server:
        assert generate(server, tmp_path / "out.jsonl", "--no-cache", "--json", "--concurrency", "1", n=1) == 0
        re_asks = [b for b in server.requests if len(b["messages"]) == 4
                   and b["messages"][2]["content"] == 'Sure! {"goal": "x", "request": ']
    assert summary_of(capsys)["accepted"] == 1
    assert len(re_asks) == 1
    assert re_asks[0]["messages"][3]["content"].startswith("Your answer is not valid: no JSON object in the answer")


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_answers_invalid_after_the_re_asks_fail_the_dialogue_and_the_run_goes_on(model: ScriptedModel,
                                                                                 tmp_path: Path, capsys) -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
        if task_of(body["messages"][0]["content"]) == "plan" and len(plans) < 3:
            plans.append(body)
            answer: dict[str, Any] | FakeReply = {"content": '{"subtasks": "many"}'}  # valid JSON, wrong shape
        else:
            answer = model(body)
        return answer if isinstance(answer, FakeReply) else \
            FakeReply(message=answer, usage={"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11})

    plans: list[dict[str, Any]] = []
    with FakeOpenAIServer(handler) as server:
        assert generate(server, tmp_path / "out.jsonl", "--no-cache", "--json", "--concurrency", "1", n=1) == 0
        sent = server.request_count
    summary = summary_of(capsys)
    assert summary["attempts"] == 2 and summary["accepted"] == 1
    assert summary["tokens"] == {"in": 10 * sent, "out": sent}  # the failed attempt's 3 requests were billed too
    [failed, _] = read_attempt_lines(attempts_path(tmp_path / "out.jsonl"))
    assert failed.cost["model_calls"] == {"plan": 3} and failed.cost["tokens_in"] == 30
    assert summary["generation_failures"] == {
        "model: plan: the model's answer is still invalid after 2 re-asks": 1}
    assert "subtasks: Input should be a valid list" in plans[2]["messages"][-1]["content"]
    assert records(tmp_path / "out.jsonl")[0]["provenance"]["attempt"] == 1


@pytest.mark.slow
def test_a_failing_call_goes_back_as_the_real_error(model: ScriptedModel, tmp_path: Path) -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        if task_of(messages[0]["content"]) == "skeleton" and len(messages) == 2 and not first:
            first.append(body)
            return {"content": json.dumps({"goal": "cancel", "request": "Cancel order #W0000 please.",
                                           "turns": [[{"name": "cancel_order", "arguments": {
                                               "order_id": "#W0000", "reason": "no_longer_needed"}}]]})}
        if task_of(messages[0]["content"]) == "skeleton" and len(messages) == 4 and not feedback:
            feedback.append(messages[3]["content"])
        return model(body)

    first: list[dict[str, Any]] = []
    feedback: list[str] = []
    with FakeOpenAIServer(handler) as server:
        assert generate(server, tmp_path / "out.jsonl", "--no-cache", "--concurrency", "1", n=1) == 0
    with load_env(ENV, seed=SEED) as env:
        real = env.call("cancel_order", {"order_id": "#W0000", "reason": "no_longer_needed"})
    assert not real.ok and real.error is not None
    assert f"cancel_order failed for real: {real.error}" in feedback[0]
    assert feedback[0].endswith("Return the whole JSON object again, corrected.")
    assert "#W0000" not in (tmp_path / "out.jsonl").read_text()  # the failed draft is not in the dialogue


@pytest.mark.slow
def test_rate_limit_and_timeout_then_success(model: ScriptedModel, tmp_path: Path, capsys) -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
        if server.request_count in (2, 3):
            return FakeReply(status=429, body=error_body("Rate limit reached", "rate_limit_error"),
                             headers={"retry-after": "0"})
        if server.request_count == 5:
            return FakeReply(delay=1.5, message=model(body))  # longer than --timeout: asked again
        return model(body)

    with FakeOpenAIServer(handler) as server:
        assert generate(server, tmp_path / "out.jsonl", "--no-cache", "--concurrency", "1", "--max-retries", "2",
                        "--timeout", "0.8", n=1) == 0
        bodies = server.requests
    assert bodies[1] == bodies[2] == bodies[3]  # the same request until it got through
    assert bodies[4] == bodies[5]
    assert main(["verify", str(tmp_path / "out.jsonl")]) == 0


@pytest.mark.slow
def test_repeated_run_is_served_entirely_from_the_cache_with_the_same_bytes(model: ScriptedModel, tmp_path: Path,
                                                                           capsys) -> None:
    cache = tmp_path / "cache.sqlite"
    with FakeOpenAIServer(model) as server:
        assert generate(server, tmp_path / "first.jsonl", "--cache", str(cache), "--concurrency", "2",
                        "--workers", "2") == 0  # two processes, one client each, one cache file
        asked = server.request_count
        capsys.readouterr()
        assert generate(server, tmp_path / "second.jsonl", "--cache", str(cache), "--concurrency", "2", "--json") == 0
        assert server.request_count == asked  # not one request more
    summary = summary_of(capsys)
    assert summary["tokens"] == {"in": 0, "out": 0} and summary["cached_answers"] > 0
    assert (tmp_path / "second.jsonl").read_bytes() == (tmp_path / "first.jsonl").read_bytes()


@pytest.mark.slow
def test_concurrency_never_exceeds_the_limit(model: ScriptedModel, tmp_path: Path) -> None:
    def handler(body: dict[str, Any]) -> FakeReply:
        return FakeReply(delay=0.02, message=model(body))

    with FakeOpenAIServer(handler) as server:
        assert generate(server, tmp_path / "out.jsonl", "--no-cache", "--concurrency", "2", n=3) == 0
    assert server.max_in_flight == 2  # two attempts ran at once, never three requests


@pytest.mark.slow
def test_server_down_mid_run_keeps_records_and_resume_completes(model: ScriptedModel, tmp_path: Path,
                                                              capsys) -> None:
    out = tmp_path / "out.jsonl"
    server = FakeOpenAIServer(model).start()

    def stop_after_first_record() -> None:
        while not out.exists() or not out.read_text().count("\n"):
            time.sleep(0.01)
        server.stop()

    watcher = threading.Thread(target=stop_after_first_record)
    watcher.start()
    code = generate(server, out, "--no-cache", "--concurrency", "1", n=3)
    watcher.join()
    err = capsys.readouterr().err
    assert code == 1
    kept = records(out)
    assert 1 <= len(kept) < 3
    assert f"model error: cannot reach the model server at {server.base_url}" in err
    assert f"the run is incomplete: {len(kept)} of 3 accepted records are in {out}; run the same command " \
           "with --resume to continue" in err
    assert main(["verify", str(out)]) == 0  # what was written is whole and valid

    server.start()  # back on the same port
    try:
        assert generate(server, out, "--no-cache", "--concurrency", "1", "--resume", n=3) == 0
    finally:
        server.stop()
    resumed = records(out)
    assert len(resumed) == 3 and resumed[:len(kept)] == kept
    attempts = [r["provenance"]["attempt"] for r in resumed]
    assert attempts == sorted(set(attempts))
    assert main(["verify", str(out)]) == 0


@pytest.mark.slow
def test_run_level_faults_give_one_message_and_exit_1(model: ScriptedModel, tmp_path: Path, capsys,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAIServer(model, models=("llama-3.1-8b",)) as server:
        assert generate(server, tmp_path / "a.jsonl", "--no-cache") == 1
    err = capsys.readouterr().err
    assert "model error: model 'fake-model' not found at" in err and "(the server has: llama-3.1-8b)" in err
    assert err.count("model error") == 1

    monkeypatch.setenv("TEST_KEY", "sk-wrong")
    with FakeOpenAIServer(model, api_key="sk-right") as server:
        assert generate(server, tmp_path / "b.jsonl", "--no-cache", "--api-key-env", "TEST_KEY") == 1
    assert "refused the API key (401: Incorrect API key provided.); set TEST_KEY" in capsys.readouterr().err

    monkeypatch.delenv("TOOLACE_MODEL", raising=False)
    assert main(["generate", "--env", ENV, "-n", "1", "-o", str(tmp_path / "c.jsonl"), "--backend", "openai"]) == 2
    assert "--backend openai needs a model: --model NAME or TOOLACE_MODEL" in capsys.readouterr().err


def test_model_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TOOLACE_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    seen: list[run_module.RunOptions] = []
    monkeypatch.setattr("toolace_mt.cli.run_generate",
                        lambda options: (seen.append(options), (0, run_module.RunSummary(), 0.0))[1])
    assert main(["generate", "--env", ENV, "-n", "1", "-o", str(tmp_path / "o.jsonl"), "--backend", "openai",
                 "--no-cache", "--concurrency", "3", "--temperature", "-1"]) == 1  # the stub accepted nothing
    model = seen[0].model
    assert model is not None and model.model == "from-env" and model.base_url == "http://127.0.0.1:9/v1"
    assert model.cache_path is None and model.concurrency == 3 and model.temperature is None


@pytest.mark.slow
def test_the_replies_are_worded_in_one_request_and_only_when_their_conversation_changed(
        model: ScriptedModel, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FakeOpenAIServer(model) as server:
        assert generate(server, out, "--no-cache", "--concurrency", "1", "--subtasks", "3", "--inject",
                        "non_function_call", "--injections", "1", n=1) == 0
        bodies = server.requests
    record = records(out)[0]
    assert record["provenance"]["attempt"] == 0  # every request below is this dialogue's
    tasks = [task_of(b["messages"][0]["content"]) for b in bodies]
    injected = tasks.index("inject_non_function_call")
    assert tasks[:injected].count("reply") == 1  # the skeleton's m replies: one request, not m
    subtasks = len(record["task"]["subtasks"])
    assert subtasks >= 2
    first = json.loads(bodies[tasks.index("reply")]["messages"][1]["content"])
    # one reply per sub-task, and before a consequential write its confirmation (kind "confirm")
    kinds = [r["kind"] for r in first["replies"]]
    assert [r["reply"] for r in first["replies"]] == list(range(1, len(kinds) + 1))
    assert kinds.count("reply") == subtasks and set(kinds) <= {"reply", "confirm"}
    assert all(kinds[i + 1] == "reply" for i, k in enumerate(kinds) if k == "confirm")
    said = [m["content"] for m in first["conversation"] if m["role"] == "assistant" and m.get("content")]
    assert said == [f"[REPLY {n}]" for n in range(1, len(kinds) + 1)]
    assert first["conversation"][-1]["content"] == f"[REPLY {len(kinds)}]"
    # The chit-chat changed the conversation of the replies after it only: those are
    # worded again in one request, and none is asked when it came after the last reply.
    chat = next(op["message_index"] for op in record["provenance"]["ops"] if op["type"] == "non_function_call")
    later = [m for m in record["messages"][chat + 1:] if m["role"] == "assistant" and m.get("content")]
    refining = tasks.index("refill")
    again = [json.loads(b["messages"][1]["content"]) for b, t in zip(bodies[injected:refining],
                                                                       tasks[injected:refining], strict=True)
             if t == "reply"]
    assert [len(c["replies"]) for c in again] == ([len(later)] if later else [])
    # A refined request's sub-tasks have their replies worded again on its new words: in one
    # request after the refinement, whatever the number of refined requests.
    reworded = tasks[refining:].count("reply")
    assert reworded <= 1
    calls = record["provenance"]["cost"]["model_calls"]
    assert calls["reply"] == tasks.count("reply") == 1 + len(again) + reworded
    assert calls["skeleton"] == tasks.count("skeleton")


@pytest.mark.slow
def test_a_batched_reply_answer_with_a_wrong_count_or_an_unseen_id_is_fed_back(model: ScriptedModel,
                                                                             tmp_path: Path) -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        if task_of(messages[0]["content"]) != "reply" or len(told) >= 2:
            return model(body)
        right = json.loads(model(body)["content"])["texts"]
        if len(messages) == 2:  # the first answer: one text short
            return {"content": json.dumps({"texts": right[:-1]})}
        told.append(messages[-1]["content"])
        if len(messages) == 4:  # the repair: every text, the first stating an id nothing shows
            return {"content": json.dumps({"texts": ["Your refund RF-99999 is on its way.", *right[1:]]})}
        return model(body)  # the second repair: right

    told: list[str] = []
    with FakeOpenAIServer(handler) as server:
        assert generate(server, tmp_path / "out.jsonl", "--no-cache", "--concurrency", "1", "--subtasks", "2",
                        n=1) == 0
        first = json.loads(next(b for b in server.requests if task_of(b["messages"][0]["content"]) == "reply")
                           ["messages"][1]["content"])
    marks = len(first["replies"])
    assert told == [f"give exactly {marks} texts, one per [REPLY n] in order, not {marks - 1}\nReturn the whole "
                    "JSON object again, corrected.",
                    "The text of [REPLY 1] states rf-99999, which no user message or tool output before it shows; "
                    "state only values they show.\nReturn the whole JSON object again, corrected."]
    text = (tmp_path / "out.jsonl").read_text()
    assert "RF-99999" not in text
    assert records(tmp_path / "out.jsonl")[0]["provenance"]["attempt"] == 0  # accepted on the repair
