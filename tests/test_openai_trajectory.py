"""Records from the openai backend are judged by the same trajectory checks as ours: a run
against a model server on 127.0.0.1 (tests/fake_openai_server.py, the scripted model of
tests/fake_model.py) writes confirmation turns the verifier accepts, and one whose model
asks "Shall I go ahead?" without the values is dropped by the `confirmation` check. The
backend's prompts state the rules the checks enforce.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_model import ScriptedModel
from fake_openai_server import FakeOpenAIServer

from toolace_mt.cli import main
from toolace_mt.jsonl import RecordLine, read_records
from toolace_mt.llm.prompts import prompt
from toolace_mt.verifier import CHECK_IDS, DEFAULT_CHECKS, Verifier
from toolace_mt.verifier.confirmation import agrees

ENV, SEED = "banking", 11

# rule -> (the prompts that write the turns it governs, a phrase each must contain)
RULES = {
    "minimal calls": (["skeleton", "mas_assistant"], ["Minimal calls", "Make only the calls the request needs"]),
    "ask which one": (["skeleton", "mas_assistant", "inject_clarification"],
                      ["several records fit", "several records fit", "asks which one is meant"]),
    "confirm with a yes": (["reply", "mas_assistant", "mas_user", "refill"],
                           ["state the action and its key values", "explicit yes", "explicit \"yes\"",
                            "explicit \"yes\""]),
    "prose that answers": (["reply", "mas_assistant", "refill"],
                           ["answer in prose", "Answer in prose", "prose that states what was asked"]),
    "enum values in words": (["reply", "skeleton", "mas_user", "mas_assistant", "refill"],
                             ["enum values in words"] * 5),
    "one persona, the holder": (["skeleton", "mas_user", "refill", "inject_error_simulation"],
                                ["account holder", "account holder", "account holder", "the same one as before"]),
    "no parameter talk": (["skeleton", "mas_user", "refill", "inject_clarification", "inject_error_simulation"],
                          ["no parameter names"] * 5),
    "no dictated internal inputs": (["skeleton", "mas_user", "refill"],
                                    ["never dictate", "never dictate", "never dictate"]),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_openai_prompts_state_the_trajectory_rules(rule: str) -> None:
    tasks, phrases = RULES[rule]
    for task, phrase in zip(tasks, phrases, strict=True):
        text = " ".join(prompt(task, subtasks=3, steps_low=1, steps_high=6, steps=4, refine_steps=5).split())
        assert " ".join(phrase.split()).casefold() in text.casefold(), f"{task} does not state '{rule}' ({phrase!r})"


def test_every_check_is_on_by_default() -> None:
    assert DEFAULT_CHECKS == CHECK_IDS
    with Verifier() as verifier:
        assert verifier.checks == CHECK_IDS


class VagueConfirmer(ScriptedModel):
    """Asks "Shall I go ahead?" before a write, naming neither the action nor its values."""

    def replies(self, context: dict[str, Any]) -> list[str]:
        texts = super().replies(context)
        kinds = [reply["kind"] for reply in context["replies"]]
        return ["Shall I go ahead?" if kind == "confirm" else text for kind, text in zip(kinds, texts, strict=True)]


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    scripted = ScriptedModel(ENV, SEED)
    yield scripted
    scripted.close()


def generate(server: FakeOpenAIServer, out: Path, *extra: str) -> int:
    return main(["generate", "--env", ENV, "-n", "2", "--seed", str(SEED), "-o", str(out), "--backend", "openai",
                 "--model", "fake-model", "--base-url", server.base_url, "--max-retries", "1", "--no-cache",
                 "--subtasks", "2", "--inject", "non_function_call", *extra])


def confirmations(path: Path) -> list[tuple[str, str, str]]:
    """(the assistant's question, the user's answer, the write) before each consequential write."""
    found = []
    for line in read_records(path):
        assert isinstance(line, RecordLine)
        messages = line.record.messages
        for index, message in enumerate(messages):
            calls = getattr(message, "tool_calls", None) or []
            if any(c.function.name in ("pay_payee", "transfer_between_accounts", "cancel_transfer",
                                       "report_card_lost") for c in calls):
                found.append((messages[index - 2].content or "", messages[index - 1].content or "",
                              calls[0].function.name))
    return found


@pytest.mark.slow
def test_openai_backend_records_with_confirmations_pass_every_check(model: ScriptedModel, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "model.jsonl"
    with FakeOpenAIServer(model) as server:
        assert generate(server, out, "--max-attempts", "12") == 0
    capsys.readouterr()
    asked = confirmations(out)
    assert asked, "the run made no consequential write to confirm"
    for question, answer, write in asked:
        assert question.rstrip().endswith("?") and agrees(answer), (question, answer, write)
    report = tmp_path / "report.json"
    assert main(["verify", str(out), "--json", "--report", str(report)]) == 0  # every check, the default
    judged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [j["passed"] for j in judged if "id" in j] == [True, True]
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["failed"] == 0 and list(summary["checks"]) == list(CHECK_IDS)
    assert all(counts == {"passed": 2, "failed": 0} for counts in summary["checks"].values())


@pytest.mark.slow
def test_a_model_that_confirms_without_the_values_is_dropped_by_the_confirmation_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, dropped = tmp_path / "vague.jsonl", tmp_path / "dropped.jsonl"
    vague = VagueConfirmer(ENV, SEED)
    try:
        with FakeOpenAIServer(vague) as server:
            generate(server, out, "--max-attempts", "6", "--keep-failed", str(dropped))
    finally:
        vague.close()
    capsys.readouterr()
    failures = [json.loads(line) for line in dropped.read_text(encoding="utf-8").splitlines()]
    confirming = [f for record in failures for f in record["verification"]["failures"] if f["check"] == "confirmation"]
    assert confirming and all("does not say what it will do" in f["message"] or "without stating" in f["message"]
                              for f in confirming)
    for line in read_records(out) if out.exists() else []:  # what was kept made no consequential write
        assert isinstance(line, RecordLine) and not confirmations(out)


@pytest.mark.slow
def test_a_write_redone_after_an_error_simulation_is_confirmed_again(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The user corrects a value of a write they had agreed to: the write with the new
    value gets its own "shall I ...?" and "yes" before it, and the record passes every check."""
    out = tmp_path / "errors.jsonl"
    scripted = ScriptedModel("travel", 7)
    try:
        with FakeOpenAIServer(scripted) as server:
            assert main(["generate", "--env", "travel", "-n", "3", "--seed", "7", "-o", str(out), "--backend",
                         "openai", "--model", "fake-model", "--base-url", server.base_url, "--no-cache",
                         "--inject", "error_simulation", "--max-attempts", "12"]) == 0
    finally:
        scripted.close()
    redone = 0
    for line in read_records(out):
        assert isinstance(line, RecordLine)
        messages = line.record.messages
        for op in line.record.provenance.ops:
            if op.type != "error_simulation":
                continue
            failed = messages[op.message_index].tool_calls[0].function.name
            if failed != "cancel_booking":
                continue
            again = next(i for i in range(op.message_index + 1, len(messages))
                         if any(c.function.name == failed for c in getattr(messages[i], "tool_calls", None) or []))
            question, answer = messages[again - 2], messages[again - 1]
            assert question.role == "assistant" and (question.content or "").rstrip().endswith("?")
            assert answer.role == "user" and agrees(answer.content or ""), answer.content
            redone += 1
    assert redone, "no error simulation hit a confirmed write"
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0  # every check, `confirmation` included
