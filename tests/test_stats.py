"""`toolace-mt stats`: exact figures on small hand-made records, bad lines, exit codes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from toolace_mt.cli import main
from toolace_mt.record import (
    AssistantMessage,
    FunctionCall,
    Op,
    Provenance,
    Record,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
    Verification,
)
from toolace_mt.stats import NgramStats, compute_stats, tokens


def _tool(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": name,
                                             "parameters": {"type": "object", "properties": {}}}}


def _call(call_id: str, name: str, **arguments: Any) -> ToolCall:
    return ToolCall(id=call_id, function=FunctionCall(name=name, arguments=json.dumps(arguments)))


def two_dialogues(env: str = "retail") -> list[Record]:
    """D1: two user turns, a parallel turn (2 calls) and a single call; D2: one user turn, no call."""
    d1 = Record(
        id="d1", env=env, env_digest="x", seed=0, tools=[_tool("get_order"), _tool("cancel_order")],
        messages=[
            SystemMessage(content="You are a store assistant."),
            UserMessage(content="Cancel my order, please!"),
            AssistantMessage(tool_calls=[_call("c1", "get_order", order_id="#W1"),
                                         _call("c2", "get_order", order_id="#W2")]),
            ToolMessage(tool_call_id="c1", content='{"status": "pending"}'),
            ToolMessage(tool_call_id="c2", content='{"status": "delivered"}'),
            AssistantMessage(content="Which one: #W1 or #W2?"),
            UserMessage(content="Yes, cancel it."),
            AssistantMessage(tool_calls=[_call("c3", "cancel_order", order_id="#W1")]),
            ToolMessage(tool_call_id="c3", content='{"status": "cancelled"}'),
            AssistantMessage(content="Order #W1 is cancelled."),
        ],
        provenance=Provenance(ops=[Op(type="clarification", message_index=5), Op(type="refine", message_index=5),
                                   Op(type="refine", message_index=9)]),
        verification=Verification(passed=True))
    d2 = Record(
        id="d2", env=env, env_digest="x", seed=0, tools=[_tool("get_order")],
        messages=[UserMessage(content="CANCEL my order now"), AssistantMessage(content="Which order?")],
        provenance=Provenance(ops=[Op(type="non_function_call", message_index=1)]))
    return [d1, d2]


def _write(path: Path, lines: list[str], final_newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")
    return path


def _no_env(env: str) -> tuple[list[str] | None, str | None]:
    return None, f"unknown env '{env}'"


def test_tokens_are_lowercase_words_with_inner_apostrophes() -> None:
    assert tokens("Don't cancel #W1001, OK? It’s fine") == ["don't", "cancel", "w1001", "ok", "it's", "fine"]
    assert tokens("  ...  ") == []


def test_distinct_n_and_entropy_by_hand(tmp_path: Path) -> None:
    # User turns: "cancel my order please" / "yes cancel it" / "cancel my order now".
    # Unigrams: 11 tokens, 7 distinct (cancel x3, my x2, order x2, please, yes, it, now).
    # Bigrams: 3 + 2 + 3 = 8; "cancel my" and "my order" repeat: 6 distinct.
    # Trigrams: 2 + 1 + 2 = 5; "cancel my order" repeats: 4 distinct.
    data = _write(tmp_path / "d.jsonl", [r.to_json() for r in two_dialogues()])
    stats = compute_stats([data], env_tools=_no_env)
    assert stats.user_tokens == 11
    assert stats.distinct_1 == pytest.approx(7 / 11)
    assert stats.distinct_2 == pytest.approx(6 / 8)
    assert stats.distinct_3 == pytest.approx(4 / 5)
    expected_entropy = (3 / 11 * math.log2(11 / 3) + 2 * (2 / 11 * math.log2(11 / 2)) + 4 * (1 / 11 * math.log2(11)))
    assert stats.entropy_bits == pytest.approx(expected_entropy)
    assert stats.entropy_bits == pytest.approx(2.6635, abs=1e-4)


def test_ngrams_never_cross_a_message_boundary() -> None:
    grams = NgramStats()
    grams.add(["a", "b"])
    grams.add(["c"])
    assert grams.totals == {1: 3, 2: 1, 3: 0}
    assert grams.distinct(3) is None
    assert NgramStats().entropy() is None


def test_turns_calls_parallel_ops_and_pass_rate(tmp_path: Path) -> None:
    data = _write(tmp_path / "d.jsonl", [r.to_json() for r in two_dialogues()])
    stats = compute_stats([data], env_tools=_no_env)
    assert stats.dialogues == 2 and stats.bad_lines == 0
    assert stats.user_turns_per_dialogue == 1.5  # (2 + 1) / 2
    assert stats.assistant_turns_per_dialogue == 2.5  # (4 + 1) / 2
    assert (stats.calls, stats.calling_turns) == (3, 2)
    assert stats.calls_per_calling_turn == 1.5
    assert stats.parallel_call_share == 0.5  # one of the two calling turns has 2 calls
    ops = {name: (op.ops, op.dialogues, op.share) for name, op in stats.ops.items()}
    assert ops == {"clarification": (1, 1, 0.5), "tool_awareness": (0, 0, 0.0), "error_simulation": (0, 0, 0.0),
                   "non_function_call": (1, 1, 0.5), "refine": (2, 1, 0.5)}
    # Only d1 has a verification.
    assert (stats.verified, stats.passed, stats.pass_rate) == (1, 1, 1.0)


def test_pass_rate_unknown_and_partial(tmp_path: Path) -> None:
    d1, d2 = two_dialogues()
    failed = d1.model_copy(update={"id": "d3", "verification": Verification(passed=False)})
    stats = compute_stats([_write(tmp_path / "a.jsonl", [d1.to_json(), d2.to_json(), failed.to_json()])],
                          env_tools=_no_env)
    assert (stats.verified, stats.passed, stats.pass_rate) == (2, 1, 0.5)
    stats = compute_stats([_write(tmp_path / "b.jsonl", [d2.to_json()])], env_tools=_no_env)
    assert stats.pass_rate is None and stats.verified == 0


def test_tool_coverage_from_records_and_from_the_env(tmp_path: Path) -> None:
    records = two_dialogues() + [r.model_copy(update={"id": r.id + "x", "env": "nowhere"}) for r in two_dialogues()]
    data = _write(tmp_path / "d.jsonl", [r.to_json() for r in records])
    stats = compute_stats([data])  # the real env lookup: retail loads, nowhere does not
    retail, nowhere = stats.tool_coverage["retail"], stats.tool_coverage["nowhere"]
    assert retail.source == "records+env" and retail.env_error is None
    assert (retail.used, retail.offered) == (2, 12)  # get_order and cancel_order of retail's 12 tools
    assert retail.coverage == pytest.approx(2 / 12)
    assert "place_order" in retail.unused and "get_order" not in retail.unused
    assert nowhere.source == "records" and "unknown env 'nowhere'" in (nowhere.env_error or "")
    assert (nowhere.used, nowhere.offered, nowhere.coverage, nowhere.unused) == (2, 2, 1.0, [])


def test_cli_json_table_and_bad_lines(tmp_path: Path, capsys) -> None:
    good = [r.to_json() for r in two_dialogues("nowhere")]
    data = _write(tmp_path / "d.jsonl", [good[0], "{not json", "", json.dumps({"id": "half"}), good[1],
                                         good[0][:40]], final_newline=False)
    assert main(["stats", str(data), "--json"]) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert result["dialogues"] == 2 and result["bad_lines"] == 3
    assert [e.split(": ", 1)[0] for e in result["bad_line_examples"]] == [f"{data}:2", f"{data}:4", f"{data}:6"]
    assert "truncated last line" in result["bad_line_examples"][2]
    assert f"{data}:2: malformed JSON" in out.err and f"{data}:6: truncated" in out.err
    assert "Traceback" not in out.err
    assert result["distinct_3"] == pytest.approx(0.8) and result["pass_rate"] == 1.0

    assert main(["stats", str(data)]) == 0
    table = capsys.readouterr().out
    rows = {line[:28].strip(): line[28:] for line in table.splitlines()[:10]}
    assert rows["dialogues"] == "2" and rows["bad lines"] == "3"
    assert rows["calls / calling turn"] == "1.50 (3 calls in 2 turns)"
    assert rows["parallel-call share"] == "50.0%"
    assert rows["Distinct-1 / 2 / 3"] == "0.636 / 0.750 / 0.800 (user turns, 11 tokens)"
    assert rows["entropy (unigram, bits)"] == "2.66"
    assert rows["pass rate"] == "100.0% (1 of 1 verified)"
    assert "refine                   2          1    50.0%" in table
    assert "nowhere                       2/2    100.0%  records" in table


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["stats", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_stats_reads_as_a_stream(tmp_path: Path, monkeypatch) -> None:
    """No whole-file read: records arrive one at a time from the JSONL reader."""
    import toolace_mt.stats as stats_module

    seen: list[int] = []
    real = stats_module.read_records

    def spy(path: Any):
        for item in real(path):
            seen.append(item.line)
            yield item

    monkeypatch.setattr(stats_module, "read_records", spy)
    data = _write(tmp_path / "d.jsonl", [r.to_json() for r in two_dialogues()] * 3)
    assert compute_stats([data], env_tools=_no_env).dialogues == 6
    assert seen == [1, 2, 3, 4, 5, 6]
