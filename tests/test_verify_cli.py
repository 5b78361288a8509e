"""`toolace-mt verify` and `schema`: streaming, bad lines, options, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from sandbox import load_env
from toolace_mt.cli import main
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.jsonl import BadLine, RecordLine, RecordWriter, read_records
from toolace_mt.record import PlannedCall, Record, SubTask, Task, record_json_schema

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def record() -> Record:
    with load_env("retail", seed=0) as env:
        order = env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0]
        order_id = order["order_id"]
        builder = DialogueBuilder(env, system="You are a store assistant.")
        builder.user(f"Please cancel order {order_id}, I ordered it by mistake.")
        builder.calls(("get_order", {"order_id": order_id}))
        total = env.call("get_order", {"order_id": order_id}).result["total"]
        # a dialogue that passes every check, the trajectory ones too: the write is confirmed first
        builder.assistant(f"Order {order_id} (${total:,.2f}) is still pending. Shall I cancel it, as it was "
                          "ordered by mistake?")
        builder.user("Yes, please.")
        builder.calls(("cancel_order", {"order_id": order_id, "reason": "ordered_by_mistake"}))
        builder.assistant(f"Done: order {order_id} has been cancelled.")
        cancel = PlannedCall(name="cancel_order", arguments={"order_id": order_id, "reason": "ordered_by_mistake"})
        return builder.record("ok-0", task=Task(subtasks=[SubTask(goal="cancel", calls=[cancel])]))


def _write(path: Path, lines: list[str], final_newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")
    return path


def _copy(record: Record, **update: object) -> str:
    return record.model_copy(update=update).to_json()


def test_all_pass_exit_0_and_table(tmp_path: Path, record: Record, capsys) -> None:
    data = _write(tmp_path / "d.jsonl", [_copy(record, id=f"ok-{i}") for i in range(3)])
    assert main(["verify", str(data)]) == 0
    out = capsys.readouterr()
    assert "FAIL" not in out.out
    table = {line.split()[0]: line.split()[1:] for line in out.out.splitlines()[1:]}
    assert table["replay"] == ["3", "0"] and table["dialogues"] == ["3", "0"]
    assert "verified 3/3, passed 3" in out.err


def test_bad_lines_are_failed_records_with_file_and_line(tmp_path: Path, record: Record, capsys) -> None:
    good = _copy(record, id="good")
    lines = [good, "{not json", json.dumps({"id": "half", "env": "retail"}),
             _copy(record, id="elsewhere", env="nowhere"), "", good.replace('"good"', '"good-2"'), good[:150]]
    data = _write(tmp_path / "d.jsonl", lines, final_newline=False)
    assert main(["verify", str(data), "--json"]) == 1
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert [r["id"] for r in rows] == ["good", f"{data}:2", "half", "elsewhere", "good-2", f"{data}:7"]
    assert [r["passed"] for r in rows] == [True, False, False, False, True, False]
    first = [r["failures"][0] for r in rows if not r["passed"]]
    assert first[0]["check"] == "record" and f"{data}:2: malformed JSON" in first[0]["message"]
    assert first[1]["message"].startswith(f"{data}:3: not a valid record: env_digest: Field required")
    assert first[2]["check"] == "replay" and first[2]["message_index"] is None
    assert "unknown env 'nowhere'" in first[2]["message"]
    assert "truncated last line" in first[3]["message"] and f"{data}:7" in first[3]["message"]
    assert "Traceback" not in out.err
    table = {line.split()[0]: line.split()[1:] for line in out.err.splitlines() if line and line.split()[0] in
             ("record", "replay", "dialogues")}
    assert table == {"record": ["3", "3"], "replay": ["2", "1"], "dialogues": ["2", "4"]}


def test_keep_passed_report_and_checks(tmp_path: Path, record: Record, capsys) -> None:
    wrong = record.model_copy(deep=True)
    wrong.messages[-1].content = "Done: order #W0000 has been cancelled."
    data = _write(tmp_path / "d.jsonl", [_copy(record, id="a"), _copy(wrong, id="b")])
    kept, report = tmp_path / "kept.jsonl", tmp_path / "r.json"
    assert main(["verify", str(data), "--keep-passed", str(kept), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "FAIL b (" in out and "consistency: the assistant states #w0000" in out and "[message 8]" in out
    kept_records = [line.record for line in read_records(kept)]
    assert [r.id for r in kept_records] == ["a"]
    assert kept_records[0].verification is not None and kept_records[0].verification.passed
    summary = json.loads(report.read_text())
    assert summary["dialogues"] == 2 and summary["failed"] == 1
    assert summary["checks"]["consistency"] == {"passed": 1, "failed": 1}
    assert summary["failures"][0]["id"] == "b" and summary["failures"][0]["line"] == 2
    # Only the checks asked for run: the wrong amount is not a format or replay problem.
    assert main(["verify", str(data), "--checks", "format,replay"]) == 0


@pytest.mark.slow
def test_two_workers_give_the_same_output_in_order(tmp_path: Path, record: Record, capsys) -> None:
    wrong = record.model_copy(deep=True)
    wrong.messages[3].content = wrong.messages[3].content.replace("pending", "shipped")
    lines = [_copy(record if i % 5 else wrong, id=f"d{i}") for i in range(20)]
    data = _write(tmp_path / "d.jsonl", lines)
    assert main(["verify", str(data), "--json"]) == 1
    one = capsys.readouterr().out
    assert main(["verify", str(data), "--json", "--workers", "2"]) == 1
    two = capsys.readouterr().out
    assert one == two
    rows = [json.loads(line) for line in one.splitlines()]
    assert [r["id"] for r in rows] == [f"d{i}" for i in range(20)]
    assert [r["passed"] for r in rows] == [bool(i % 5) for i in range(20)]
    assert rows[0]["failures"][0]["check"] == "replay" and rows[0]["failures"][0]["message_index"] == 3


@pytest.mark.parametrize(("argv", "message"), [
    (["verify", "missing.jsonl"], "no such file: missing.jsonl"),
    (["verify", "README.md", "--checks", "format,vibes"], "unknown check id(s) vibes"),
    (["verify", "README.md", "--workers", "0"], "--workers must be at least 1"),
])
def test_bad_arguments_exit_2(argv: list[str], message: str, capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_schema_is_published_and_records_validate(record: Record, capsys) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == record_json_schema() == json.loads((ROOT / "docs" / "record.schema.json").read_text())
    jsonschema.Draft202012Validator(printed).validate(json.loads(record.to_json()))
    broken = json.loads(record.to_json())
    broken["messages"][2]["tool_calls"][0]["type"] = "code"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(printed).validate(broken)


def test_record_json_is_openai_chat_format(record: Record) -> None:
    data = json.loads(record.to_json())
    call_turn = data["messages"][2]
    assert call_turn["role"] == "assistant" and call_turn["content"] is None
    call = call_turn["tool_calls"][0]
    assert set(call) == {"id", "type", "function"} and call["type"] == "function"
    order_id = record.task.subtasks[0].calls[0].arguments["order_id"]
    assert json.loads(call["function"]["arguments"]) == {"order_id": order_id}
    answer = data["messages"][3]
    assert set(answer) == {"role", "tool_call_id", "content"} and answer["tool_call_id"] == call["id"]
    assert isinstance(answer["content"], str) and json.loads(answer["content"])["status"] == "pending"
    assert set(data["messages"][-1]) == {"role", "content"}
    assert Record.model_validate_json(record.to_json()) == record


def test_jsonl_streams_and_reports_bad_lines(tmp_path: Path, record: Record) -> None:
    path = tmp_path / "w.jsonl"
    with RecordWriter(path) as writer:
        writer.write(record)
        writer.write(_copy(record, id="second"))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n\n[1, 2]\n")
    items = read_records(path)
    assert iter(items) is items  # a generator: nothing is read ahead
    first = next(items)
    assert isinstance(first, RecordLine) and first.record == record and first.line == 1
    rest = list(items)
    assert [type(i) for i in rest] == [RecordLine, BadLine]
    assert rest[1].line == 5 and "must be a JSON object, got list" in rest[1].reason
