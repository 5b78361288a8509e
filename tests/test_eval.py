"""`toolace-mt eval`: gold and noop on real data, a model scripted through a fake
OpenAI server, users' own agents, scores per turn, pass^k, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer

from toolace_mt.cli import main
from toolace_mt.evaluation.agents import GoldAgent
from toolace_mt.evaluation.pass_k import pass_hat_k
from toolace_mt.jsonl import read_records
from toolace_mt.record import Record

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures" / "dialogues").glob("*.jsonl"))
ENVS = ["retail", "travel", "banking", "calendar_mail", "tau_retail"]


def _records(path: Path) -> list[Record]:
    return [r.record for r in read_records(path)]  # type: ignore[union-attr]


def _fixture(record_id: str) -> Record:
    return next(r for path in FIXTURES for r in _records(path) if r.id == record_id)


def _write(path: Path, records: list[Record]) -> Path:
    path.write_text("".join(r.to_json() + "\n" for r in records), encoding="utf-8")
    return path


def _eval(args: list[str], tmp_path: Path, capsys) -> tuple[int, dict[str, Any], list[dict[str, Any]], str]:
    """Runs eval with --json and --report; returns (exit code, report, per-dialogue rows, stderr)."""
    report = tmp_path / "report.json"
    code = main(["eval", *args, "--json", "--report", str(report)])
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines() if line.strip()]
    return code, json.loads(report.read_text()) if report.exists() else {}, rows, out.err


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Two generated dialogues per built-in env (attempt i uses env i mod 5)."""
    out = tmp_path_factory.mktemp("gen") / "data.jsonl"
    args = ["generate", *[a for env in ENVS for a in ("--env", env)], "-n", "10", "--seed", "3", "-o", str(out)]
    assert main(args) == 0
    return out


# -- gold and noop ---------------------------------------------------------------


@pytest.mark.slow
def test_gold_scores_100_percent_on_generated_data_for_every_env(generated: Path, tmp_path: Path, capsys) -> None:
    code, report, rows, err = _eval([str(generated), "--agent", "gold"], tmp_path, capsys)
    assert code == 0
    assert sorted(report["by_env"]) == sorted(ENVS)
    for env, group in report["by_env"].items():
        assert group["dialogues"] == 2 and group["passed"] == 2, env
        turns = group["turns"]
        assert turns["passed"] == turns["state"] == turns["response"] == turns["turns"] > 0
        assert group["calls"]["precision"] == group["calls"]["recall"] == group["calls"]["argument_accuracy"] == 1.0
    assert report["pass_hat_k"] == {"1": 1.0} and report["failures"] == [] and report["not_evaluated"] == 0
    assert report["by_op"]["tool_awareness"]["abstention"]["passed"] == report["by_op"]["tool_awareness"]["turns"] > 0
    assert all(row["passed"] for row in rows) and len(rows) == 10
    assert "evaluated 10/10, passed 10" in err


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_gold_scores_100_percent_on_the_fixtures(tmp_path: Path, capsys) -> None:
    code, report, _, err = _eval([*map(str, FIXTURES), "--agent", "gold"], tmp_path, capsys)
    assert code == 0 and report["dialogues"] == report["passed"] == 20
    assert report["by_op"]["clarification"]["abstention"] == {"turns": 5, "passed": 5}
    assert "dialogues that change the state: 18/18 passed" in err


@pytest.mark.slow
def test_noop_fails_every_dialogue_that_writes(generated: Path, tmp_path: Path, capsys) -> None:
    code, report, rows, _ = _eval([str(generated), *map(str, FIXTURES), "--agent", "noop"], tmp_path, capsys)
    assert code == 0  # scores are results, not errors
    writing = [row for row in rows if row["writes"]]
    assert len(writing) == report["state_changing"]["dialogues"] >= 20
    assert report["state_changing"]["passed"] == 0 and not any(row["passed"] for row in writing)
    for row in writing:
        failed = [t for t in row["turns"] if not t["state"]["passed"]]
        assert failed and all(t["state"]["diff"] for t in failed)
        assert all(c == [] for t in row["turns"] for c in [t["agent_calls"]])
    assert report["calls"]["recall"] == 0.0 and report["calls"]["agent"] == 0


def test_noop_failure_names_the_missing_change(tmp_path: Path, capsys) -> None:
    data = _write(tmp_path / "d.jsonl", [_fixture("retail-cancel-pending-order")])
    assert main(["eval", str(data), "--agent", "noop"]) == 0
    out = capsys.readouterr().out
    assert "FAIL retail-cancel-pending-order" in out
    assert "  turn 2 (message 9):\n    state (expected vs actual):\n" in out
    assert 'orders {"order_id": "#W1201"} status: expected "cancelled", got "pending"' in out
    assert 'orders {"order_id": "#W1201"} cancel_reason: expected "found_better_price", got null' in out
    # what the record's assistant told from the tool outputs, and noop did not
    assert "response: missing C1099" not in out and "#W1201" in out and "239.95" in out


# -- a model behind an OpenAI-compatible server -----------------------------------


def test_openai_agent_with_one_wrong_argument_is_caught_on_that_turn(tmp_path: Path, capsys) -> None:
    record = _fixture("retail-cancel-pending-order")
    gold = GoldAgent(record)

    def handler(body: dict[str, Any]) -> dict[str, Any]:
        reply = json.loads(json.dumps(gold(body["messages"], body["tools"])))
        for call in reply.get("tool_calls") or []:
            if call["function"]["name"] == "cancel_order":  # the one mistake: the wrong reason
                call["function"]["arguments"] = json.dumps({"order_id": "#W1201", "reason": "no_longer_needed"})
        return {"content": reply["content"], **({"tool_calls": reply["tool_calls"]} if reply["tool_calls"] else {})}

    data = _write(tmp_path / "d.jsonl", [record])
    with FakeOpenAIServer(handler) as server:
        code, report, rows, _ = _eval([str(data), "--agent", "openai", "--model", "fake-model",
                                       "--base-url", server.base_url, "--api-key-env", "TOOLACE_TEST_NO_KEY"],
                                      tmp_path, capsys)
        requests = server.requests
    assert code == 0
    assert requests and all(r["tools"] == record.tools and r["model"] == "fake-model" for r in requests)
    # the model got the real output of its wrong call back
    cancel_output = json.loads(requests[-2]["messages"][-1]["content"])
    assert cancel_output["cancel_reason"] == "no_longer_needed" and cancel_output["status"] == "cancelled"
    [row] = rows
    assert [t["passed"] for t in row["turns"]] == [True, False, True]
    wrong = row["turns"][1]
    assert wrong["state"]["diff"] == [
        'orders {"order_id": "#W1201"} cancel_reason: expected "found_better_price", got "no_longer_needed"']
    assert wrong["response"]["passed"] and wrong["abstention"] == {"applies": False, "passed": True, "problem": None}
    assert wrong["calls"] == {"agent": 1, "record": 1, "matched": 0, "arguments_equal": 1, "arguments_total": 2}
    assert report["failures"] == [{"id": record.id, "path": str(data), "line": 1, "trial": 0, "turns": [
        {"turn": 1, "message_index": 9, "ops": [], "failures": [
            'state: orders {"order_id": "#W1201"} cancel_reason: expected "found_better_price", got '
            '"no_longer_needed"']}]}]


def test_openai_agent_without_a_reachable_server_stops_the_run(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("TOOLACE_MODEL", raising=False)
    data = _write(tmp_path / "d.jsonl", [_fixture("retail-cancel-pending-order")])
    with FakeOpenAIServer(lambda body: {"content": "hi"}) as server:
        url = server.base_url
    code = main(["eval", str(data), "--agent", "openai", "--model", "m", "--base-url", url, "--max-retries", "0"])
    err = capsys.readouterr().err
    assert code == 1 and "the agent stopped answering, run incomplete" in err and "cannot reach" in err
    assert main(["eval", str(data), "--agent", "openai", "--api-key-env", "TOOLACE_TEST_NO_KEY"]) == 2
    assert "needs a model" in capsys.readouterr().err
    assert main(["eval", str(data), "--agent", "openai", "--model", "m", "--base-url", url, "--max-retries", "-1"]) == 2
    assert capsys.readouterr().err == ("toolace-mt: bad model settings: max_retries: Input should be greater than or "
                                       "equal to 0\n")


# -- users' own agents --------------------------------------------------------------


AGENT_MODULE = '''
import itertools
import json

from toolace_mt.evaluation.agents import GoldAgent
from toolace_mt.jsonl import read_records

RECORDS = [r.record for r in read_records({data!r})]
FAILS = {fails!r}
_made = itertools.count()  # test scaffolding: which dialogue trial this is


class Flaky:
    """Replays the record whose first user message it is given, except in the trials listed in FAILS."""

    def __init__(self):
        self.number = next(_made)

    def __call__(self, messages, tools):
        if self.number in FAILS:
            return {{"content": "no"}}
        first = next(m["content"] for m in messages if m["role"] == "user")
        record = next(r for r in RECORDS if next(m.content for m in r.messages if m.role == "user") == first)
        return GoldAgent(record)(messages, tools)


def always_reads(messages, tools):
    call = {{"function": {{"name": "get_order", "arguments": {{"order_id": "#W1201"}}}}}}
    return {{"content": None, "tool_calls": [call]}}


def garbage(messages, tools):
    return 42


def crashes(messages, tools):
    raise RuntimeError("out of tokens")


def cancels_anyway(messages, tools):
    if messages[-1]["role"] == "tool":
        return {{"content": "Done."}}
    return {{"tool_calls": [{{"id": "x", "function": {{"name": "cancel_order",
             "arguments": json.dumps({{"order_id": "#W1184"}})}}}}]}}
'''


def _agent_file(tmp_path: Path, data: Path, fails: set[int] = frozenset()) -> Path:  # type: ignore[assignment]
    path = tmp_path / "my_agents.py"
    path.write_text(AGENT_MODULE.format(data=str(data), fails=set(fails)), encoding="utf-8")
    return path


def test_pass_hat_k_on_a_constructed_example() -> None:
    outcomes = [(4, 4), (4, 2), (4, 0)]
    assert pass_hat_k(outcomes, 1) == pytest.approx((1 + 0.5 + 0) / 3)
    assert pass_hat_k(outcomes, 2) == pytest.approx((1 + 1 / 6 + 0) / 3)  # C(2,2)/C(4,2) = 1/6
    assert pass_hat_k(outcomes, 3) == pytest.approx(1 / 3)  # C(2,3) = 0
    assert pass_hat_k(outcomes, 4) == pytest.approx(1 / 3)
    assert pass_hat_k([], 1) is None
    with pytest.raises(ValueError, match="k=5 needs 1 <= k <= n=4"):
        pass_hat_k(outcomes, 5)


def test_trials_give_pass_hat_k_end_to_end(tmp_path: Path, capsys) -> None:
    records = [_fixture("retail-cancel-pending-order"), _fixture("banking-savings-to-checking")]
    data = _write(tmp_path / "d.jsonl", records)
    # trials run dialogue by dialogue: instances 0-3 are the first dialogue, 4-7 the second
    agent = _agent_file(tmp_path, data, fails={5, 7})
    code, report, rows, _ = _eval([str(data), "--agent", f"{agent}:Flaky", "--trials", "4"], tmp_path, capsys)
    assert code == 0 and report["trials"] == 4
    assert [(r["id"], r["trial"], r["passed"]) for r in rows] == [
        *[(records[0].id, t, True) for t in range(4)],
        *[(records[1].id, t, t in (0, 2)) for t in range(4)]]
    assert report["pass_hat_k"] == {"1": 0.75, "2": round((1 + 1 / 6) / 2, 4), "3": 0.5, "4": 0.5}
    assert report["dialogues"] == 8 and report["passed"] == 6


def test_agent_errors_and_step_limit_fail_the_turn_not_the_run(tmp_path: Path, capsys) -> None:
    data = _write(tmp_path / "d.jsonl", [_fixture("retail-cancel-pending-order")])
    agent = _agent_file(tmp_path, data)
    _, _, [row], _ = _eval([str(data), "--agent", f"{agent}:garbage"], tmp_path, capsys)
    assert row["turns"][0]["error"] == ("the agent's reply is not an assistant message: reply: Input should be a "
                                        "valid dictionary or instance of AgentReply")
    _, _, [row], _ = _eval([str(data), "--agent", f"{agent}:crashes"], tmp_path, capsys)
    assert {t["error"] for t in row["turns"]} == {"RuntimeError: out of tokens"} and not row["passed"]
    code, _, [row], _ = _eval([str(data), "--agent", f"{agent}:always_reads", "--max-steps", "3"],
                                   tmp_path, capsys)
    assert code == 0
    first = row["turns"][0]
    assert first["steps"] == 3 and len(first["agent_calls"]) == 3 and first["state"]["passed"]
    assert first["response"]["problem"] == "no reply without calls within 3 steps"
    assert first["calls"]["agent"] == 3 and first["calls"]["matched"] == 1  # the record's get_order #W1201


def test_abstention_on_tool_awareness_and_clarification(tmp_path: Path, capsys) -> None:
    withheld = _fixture("retail-cancel-tool-withheld")  # cancel_order is not offered; the record declines
    asks = _fixture("retail-return-needs-order-number")  # the record asks for the order number first
    data = _write(tmp_path / "d.jsonl", [withheld, asks])
    agent = _agent_file(tmp_path, data)
    _, report, rows, _ = _eval([str(data), "--agent", f"{agent}:cancels_anyway"], tmp_path, capsys)
    first = rows[0]["turns"][0]
    assert first["abstention"] == {"applies": True, "passed": False, "problem": (
        "tool awareness: the record declines at message 4, but the agent called cancel_order(order_id='#W1184')")}
    assert first["agent_calls"] == [{"name": "cancel_order", "arguments": {"order_id": "#W1184"}, "ok": False}]
    assert first["state"]["passed"]  # the call was refused: cancel_order is not among the record's tools
    guess = rows[1]["turns"][0]
    assert guess["ops"] == ["clarification"] and not guess["abstention"]["passed"]
    assert guess["abstention"]["problem"] == ("clarification: the record asks for order_id at message 2, but the "
                                              "agent called cancel_order with order_id='#W1184' instead of asking")
    assert report["by_op"]["clarification"]["abstention"] == {"turns": 1, "passed": 0}


def test_history_agent_carries_a_mistake_into_later_turns(tmp_path: Path, capsys) -> None:
    record = _fixture("retail-cancel-pending-order")
    data = _write(tmp_path / "d.jsonl", [record])
    agent = _agent_file(tmp_path, data, fails={0, 1})
    _, _, [own], _ = _eval([str(data), "--agent", f"{agent}:Flaky", "--history", "agent"], tmp_path, capsys)
    _, _, [fresh], _ = _eval([str(data), "--agent", "noop"], tmp_path, capsys)
    # noop never writes: in record history the cancel is missed on turn 2 only, in agent history from turn 2 on
    assert [t["state"]["passed"] for t in fresh["turns"]] == [True, False, True]
    assert [t["state"]["passed"] for t in own["turns"]] == [True, False, False]


# -- bad input ------------------------------------------------------------------------


def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, capsys) -> None:
    data = _write(tmp_path / "d.jsonl", [_fixture("retail-cancel-pending-order")])
    cases = {
        ("missing.jsonl", "gold"): "no such file: missing.jsonl",
        (str(data), "nope"): "bad agent 'nope': expected openai, gold, noop, module:callable or "
                             "path/to/file.py:callable",
        (str(data), "no_such_module_x:fn"): "bad agent 'no_such_module_x:fn': cannot import no_such_module_x: "
                                            "ModuleNotFoundError: No module named 'no_such_module_x'",
        (str(data), "json:nothing"): "bad agent 'json:nothing': json has no attribute 'nothing'",
        (str(data), "os:sep"): "bad agent 'os:sep': sep is not callable",
        (str(data), "nowhere/agent.py:fn"): "bad agent 'nowhere/agent.py:fn': no such file nowhere/agent.py",
    }
    for (path, agent), message in cases.items():
        assert main(["eval", path, "--agent", agent]) == 2
        err = capsys.readouterr().err
        assert err == f"toolace-mt: {message}\n", err
    assert main(["eval", str(data), "--agent", "gold", "--trials", "0"]) == 2
    assert "--trials must be at least 1" in capsys.readouterr().err


def test_unreadable_lines_and_changed_envs_are_reported_and_the_rest_evaluated(tmp_path: Path, capsys) -> None:
    good = _fixture("retail-cancel-pending-order")
    changed = good.model_copy(update={"id": "changed", "env_digest": "0" * 64})
    data = tmp_path / "d.jsonl"
    data.write_text("{not json\n" + good.to_json() + "\n" + changed.to_json() + "\n" + good.to_json()[:80],
                    encoding="utf-8")
    code = main(["eval", str(data), "--agent", "gold"])
    out = capsys.readouterr()
    assert code == 1
    assert f"{data}:1: malformed JSON" in out.err and f"{data}:4: truncated last line" in out.err
    assert f"ERROR changed ({data}:3): env digest mismatch" in out.out
    assert "not evaluated: 3 (listed above)" in out.out
    assert "all                      1       1   1.00" in out.out


@pytest.mark.slow
def test_gold_and_noop_on_a_larger_generated_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "big.jsonl"
    assert main(["generate", *[a for env in ENVS for a in ("--env", env)], "-n", "50", "--seed", "11",
                 "-o", str(out), "--workers", "2"]) == 0
    capsys.readouterr()
    code, report, _, _ = _eval([str(out), "--agent", "gold"], tmp_path, capsys)
    assert code == 0 and report["dialogues"] == report["passed"] == 50
    code, report, _, _ = _eval([str(out), "--agent", "noop"], tmp_path, capsys)
    assert code == 0 and report["state_changing"]["passed"] == 0 and report["state_changing"]["dialogues"] > 30


def test_a_record_naming_its_env_by_a_relative_path_is_found_under_the_env_dir(tmp_path: Path, monkeypatch,
                                                                               capsys) -> None:
    from sandbox import load_env
    from toolace_mt.dialogue_builder import DialogueBuilder

    envs = tmp_path / "envs"
    envs.mkdir()
    source = envs / "myshop.py"
    source.write_text((ROOT / "tool_envs" / "retail.py").read_text(), encoding="utf-8")
    with load_env(source, seed=2) as env:
        order = env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0]
        builder = DialogueBuilder(env)
        builder.user(f"Cancel {order['order_id']}, please.")
        builder.calls(("cancel_order", {"order_id": order["order_id"]}))
        builder.assistant("Cancelled.")
        record = builder.record("relative").model_copy(update={"env": "myshop.py"})
    data = _write(envs / "d.jsonl", [record])
    monkeypatch.chdir(tmp_path)
    code, report, [row], _ = _eval([str(data), "--agent", "gold"], tmp_path, capsys)
    assert code == 1 and report["not_evaluated"] == 1 and "pass the directory holding it with --env-dir" in row["error"]
    code, report, [row], _ = _eval([str(data), "--agent", "gold", "--env-dir", "envs"], tmp_path, capsys)
    assert code == 0 and row["passed"] and row["writes"] and report["not_evaluated"] == 0
