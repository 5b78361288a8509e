"""`toolace-mt export`: openai round-trips, sharegpt and toolace shapes, call syntax,
skipped records with file:line, exit codes."""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from test_stats import _call, _tool, _write, two_dialogues  # shared hand-made records

from sandbox import load_env
from toolace_mt.cli import main
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.export import TOOLACE_SYSTEM, python_literal, to_sharegpt, to_toolace, toolace_calls
from toolace_mt.jsonl import read_records
from toolace_mt.record import AssistantMessage, Record, ToolMessage, UserMessage, Verification


@pytest.fixture(scope="module")
def executed() -> Record:
    """A record whose calls really ran: a parallel turn, then a failing call and its fix."""
    with load_env("retail", seed=0) as env:
        orders = [r["order_id"] for r in env.query("SELECT order_id FROM orders ORDER BY order_id LIMIT 2")]
        builder = DialogueBuilder(env, system="You are a store assistant.")
        builder.user(f"Where are my orders {orders[0]} and {orders[1]}?")
        builder.calls(("get_order", {"order_id": orders[0]}), ("get_order", {"order_id": orders[1]}))
        builder.assistant("Both were delivered.")
        builder.user("And order W9999?")
        builder.calls(("get_order", {"order_id": "W9999"}))
        builder.assistant("I could not find order W9999.")
        return builder.record("executed")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _export(tmp_path: Path, records: list[Record], fmt: str) -> list[dict[str, Any]]:
    data = _write(tmp_path / "in.jsonl", [r.to_json() for r in records])
    out = tmp_path / f"out.{fmt}.jsonl"
    assert main(["export", str(data), "--format", fmt, "-o", str(out)]) == 0
    return _lines(out)


def test_openai_round_trip(tmp_path: Path, executed: Record) -> None:
    records = [*two_dialogues(), executed]
    rows = _export(tmp_path, records, "openai")
    assert len(rows) == 3
    for row, record in zip(rows, records, strict=True):
        assert set(row) == {"messages", "tools"} and row["tools"] == record.tools
        again = Record.model_validate({**record.model_dump(), "messages": row["messages"]})
        assert again.messages == record.messages
        assert row["messages"] == json.loads(record.to_json())["messages"]
    call_turn = rows[2]["messages"][2]
    assert call_turn["content"] is None and [c["id"] for c in call_turn["tool_calls"]] == ["call_1", "call_2"]
    assert rows[2]["messages"][3]["tool_call_id"] == "call_1"


def test_sharegpt_by_hand() -> None:
    d1, d2 = two_dialogues()
    row = to_sharegpt(d1)
    assert row["conversations"] == [
        {"from": "system", "value": "You are a store assistant."},
        {"from": "human", "value": "Cancel my order, please!"},
        {"from": "function_call", "value": '[{"name": "get_order", "arguments": {"order_id": "#W1"}}, '
                                           '{"name": "get_order", "arguments": {"order_id": "#W2"}}]'},
        {"from": "observation", "value": '[{"status": "pending"}, {"status": "delivered"}]'},
        {"from": "gpt", "value": "Which one: #W1 or #W2?"},
        {"from": "human", "value": "Yes, cancel it."},
        {"from": "function_call", "value": '{"name": "cancel_order", "arguments": {"order_id": "#W1"}}'},
        {"from": "observation", "value": '{"status": "cancelled"}'},
        {"from": "gpt", "value": "Order #W1 is cancelled."},
    ]
    assert json.loads(row["tools"]) == [t["function"] for t in d1.tools]
    assert to_sharegpt(d2) == {"conversations": [{"from": "human", "value": "CANCEL my order now"},
                                                 {"from": "gpt", "value": "Which order?"}],
                               "tools": json.dumps([d2.tools[0]["function"]])}


def test_sharegpt_outputs_follow_call_order_not_message_order() -> None:
    d1 = two_dialogues()[0]
    swapped = d1.model_copy(update={"messages": [*d1.messages[:3], d1.messages[4], d1.messages[3], *d1.messages[5:]]})
    assert to_sharegpt(swapped)["conversations"][3]["value"] == '[{"status": "pending"}, {"status": "delivered"}]'


def test_sharegpt_executed_record_alternates(executed: Record) -> None:
    tags = [c["from"] for c in to_sharegpt(executed)["conversations"]]
    assert tags == ["system", "human", "function_call", "observation", "gpt",
                    "human", "function_call", "observation", "gpt"]
    failing = json.loads(to_sharegpt(executed)["conversations"][7]["value"])
    assert failing["error"]["type"] == "ToolError"


@pytest.mark.parametrize(("value", "literal"), [
    ("plain", '"plain"'),
    ('say "hi"', r'"say \"hi\""'),
    ("two\nlines\tand \\ back", r'"two\nlines\tand \\ back"'),
    ("café ✓", '"café ✓"'),
    ("", '""'),
    (0, "0"), (-42, "-42"), (2.5, "2.5"), (1e-07, "1e-07"), (12345678901234567890, "12345678901234567890"),
    (True, "True"), (False, "False"), (None, "None"),
    ([1, "a", [True, None]], '[1, "a", [True, None]]'),
    ({"k": [1, 2], "n": {"x": False}}, '{"k": [1, 2], "n": {"x": False}}'),
    ([], "[]"), ({}, "{}"),
])
def test_python_literal(value: Any, literal: str) -> None:
    assert python_literal(value) == literal
    assert ast.literal_eval(literal) == value
    assert type(ast.literal_eval(literal)) is type(value)


def test_python_literal_control_characters_and_separators_read_back() -> None:
    tricky = 'a\x00b\x1fc\u2028d\u2029e"\'f\\'
    assert ast.literal_eval(python_literal(tricky)) == tricky
    assert "\n" not in python_literal("x\ny") and "\r" not in python_literal("x\ry")


def _parse_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    tree = ast.parse(text, mode="eval").body
    assert isinstance(tree, ast.List)
    calls = []
    for node in tree.elts:
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args
        calls.append((node.func.id, {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}))
    return calls


def test_toolace_call_syntax_parallel_and_nested() -> None:
    calls = [("send_message", {"to": ["ann@example.com", "bo@example.com"], "body": 'Line 1\n"quoted"',
                               "urgent": True, "cc": None, "count": 3, "ratio": 0.25,
                               "meta": {"tags": ["a", "b"], "ok": False}}),
             ("get_order", {"order_id": "#W1"}),
             ("list_all", {})]
    text = toolace_calls(calls)
    assert text == ('[send_message(to=["ann@example.com", "bo@example.com"], body="Line 1\\n\\"quoted\\"", '
                    'urgent=True, cc=None, count=3, ratio=0.25, meta={"tags": ["a", "b"], "ok": False}), '
                    'get_order(order_id="#W1"), list_all()]')
    assert _parse_calls(text) == calls


def test_toolace_by_hand() -> None:
    d1 = two_dialogues()[0]
    row = to_toolace(d1)
    functions = json.dumps([t["function"] for t in d1.tools])
    assert row["system"] == TOOLACE_SYSTEM.replace("{functions}", functions) + "\nYou are a store assistant."
    assert "Here is a list of functions in JSON format that you can invoke:\n[{\"name\": \"get_order\"" in row["system"]
    assert row["conversations"] == [
        {"from": "user", "value": "Cancel my order, please!"},
        {"from": "assistant", "value": '[get_order(order_id="#W1"), get_order(order_id="#W2")]'},
        {"from": "tool", "value": '[{"name": "get_order", "results": {"status": "pending"}}, '
                                  '{"name": "get_order", "results": {"status": "delivered"}}]'},
        {"from": "assistant", "value": "Which one: #W1 or #W2?"},
        {"from": "user", "value": "Yes, cancel it."},
        {"from": "assistant", "value": '[cancel_order(order_id="#W1")]'},
        {"from": "tool", "value": '[{"name": "cancel_order", "results": {"status": "cancelled"}}]'},
        {"from": "assistant", "value": "Order #W1 is cancelled."},
    ]
    assert set(row) == {"system", "conversations"}


def test_toolace_executed_record_calls_parse_back(tmp_path: Path, executed: Record) -> None:
    row = _export(tmp_path, [executed], "toolace")[0]
    assistant_calls = [c["value"] for c in row["conversations"] if c["value"].startswith("[get_order(")]
    recorded = [[(c.function.name, c.parsed_arguments()) for c in m.tool_calls]
                for m in executed.messages if isinstance(m, AssistantMessage) and m.tool_calls]
    assert [_parse_calls(text) for text in assistant_calls] == recorded
    tool_turns = [json.loads(c["value"]) for c in row["conversations"] if c["from"] == "tool"]
    assert [len(t) for t in tool_turns] == [2, 1]
    outputs = [json.loads(m.content) for m in executed.messages if isinstance(m, ToolMessage)]
    assert [item["results"] for turn in tool_turns for item in turn] == outputs


def test_invalid_records_are_skipped_with_file_and_line(tmp_path: Path, capsys) -> None:
    d1, d2 = two_dialogues()
    failed = d2.model_copy(update={"id": "rejected", "verification": Verification(passed=False, failures=[])})
    unanswered = d1.model_copy(update={"id": "unanswered", "messages": d1.messages[:3]})
    nan_args = d1.model_copy(deep=True, update={"id": "nan"})
    nan_args.messages[7].tool_calls[0] = _call("c3", "cancel_order", order_id="#W1", amount=-1)
    nan_line = nan_args.to_json().replace('\\"amount\\": -1', '\\"amount\\": NaN')  # records are strict JSON
    assert "NaN" in nan_line
    lines = [d1.to_json(), "{not json", failed.to_json(), unanswered.to_json(), nan_line, d2.to_json()]
    data = _write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    assert main(["export", str(data), "--format", "toolace", "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert len(_lines(out)) == 2
    err = captured.err
    assert f"skipped {data}:2: malformed JSON" in err
    assert f"skipped {data}:3: record rejected failed verification" in err
    assert f"skipped {data}:4: record unanswered: format: " in err
    assert f"skipped {data}:5: not a valid record: messages.7.assistant.tool_calls.0.function.arguments: Value " \
           "error, NaN is not a JSON number" in err
    assert "Traceback" not in err
    assert captured.out.strip() == f"exported 2 record(s) to {out} (toolace), skipped 4"


def test_sharegpt_skips_what_it_cannot_alternate(tmp_path: Path, capsys) -> None:
    twice = Record(id="twice", env="retail", env_digest="x", seed=0, tools=[_tool("get_order")], messages=[
        UserMessage(content="hi"), AssistantMessage(content="Hello."), AssistantMessage(content="Anything else?")])
    data = _write(tmp_path / "in.jsonl", [twice.to_json()])
    out = tmp_path / "out.jsonl"
    assert main(["export", str(data), "--format", "sharegpt", "-o", str(out)]) == 1
    assert "user and assistant turns must alternate" in capsys.readouterr().err
    assert out.read_text() == ""
    assert main(["export", str(data), "--format", "openai", "-o", str(out)]) == 0
    assert len(_lines(out)) == 1


def test_bad_arguments_exit_2(tmp_path: Path, capsys) -> None:
    data = _write(tmp_path / "in.jsonl", [two_dialogues()[1].to_json()])
    with pytest.raises(SystemExit) as exc:
        main(["export", str(data), "--format", "alpaca", "-o", str(tmp_path / "o.jsonl")])
    assert exc.value.code == 2 and "invalid choice: 'alpaca'" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "none.jsonl"), "--format", "openai", "-o", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["export", str(data), "--format", "openai", "-o", str(tmp_path / "no" / "dir" / "o.jsonl")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert main(["export", str(data), "--format", "openai", "-o", str(data)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert [r.record.id for r in read_records(data)] == ["d2"]  # the input is untouched
    assert main(["export", str(data), "--format", "openai", "-o", str(tmp_path)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # no stray partial files


def test_help_has_examples(capsys) -> None:
    for command in ("stats", "export"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert f"toolace-mt {command} data.jsonl" in capsys.readouterr().out


# --- README "Statistics and export": its commands run, its format examples are what export writes ---

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Statistics and export\n", 1)[1].split("\n## ", 1)[0]


def _section_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SECTION, re.S)


def test_readme_commands_run(tmp_path: Path, executed: Record, monkeypatch, capsys) -> None:
    _write(tmp_path / "data.jsonl", [r.to_json() for r in [*two_dialogues(), executed]])
    monkeypatch.chdir(tmp_path)
    commands = [shlex.split(line) for line in _section_blocks("bash")[0].strip().splitlines()]
    assert [c[:2] for c in commands] == [["toolace-mt", "stats"]] * 2 + [["toolace-mt", "export"]] * 3
    for command in commands:
        assert main(command[1:]) == 0, command
    out = capsys.readouterr().out
    assert json.loads(out.splitlines()[-4])["dialogues"] == 3  # the --json line, before 3 export summaries
    for fmt in ("openai", "sharegpt", "toolace"):
        assert len(_lines(tmp_path / f"train.{fmt}.jsonl")) == 3


def test_readme_format_examples_are_what_export_writes() -> None:
    d1 = two_dialogues()[0]
    sharegpt, toolace = (json.loads(block) for block in _section_blocks("json"))
    assert to_sharegpt(d1)["conversations"][:len(sharegpt)] == sharegpt
    assert to_toolace(d1)["conversations"][:len(toolace)] == toolace
    assert _section_blocks("text") == [TOOLACE_SYSTEM]
    registration = re.search(r"`(\{\"toolace_mt\".*?\})`", SECTION, re.S)
    assert registration is not None
    entry = json.loads(registration.group(1))["toolace_mt"]
    assert entry["formatting"] == "sharegpt" and entry["columns"] == {"messages": "conversations", "tools": "tools"}
    written = re.search(r"`\[get_order\(.*?\)\]`", SECTION, re.S)
    assert written is not None and _parse_calls(written.group(0).strip("`")) == [
        ("get_order", {"order_id": "#W1"}), ("cancel_order", {"order_id": "#W1", "reason": "ordered_by_mistake"})]
