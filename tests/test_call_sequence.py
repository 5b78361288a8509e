"""`toolace-mt call ENV --calls FILE.jsonl`: several calls in order on one env, each
result printed; a bad line is a clear file:line error and no call runs."""

from __future__ import annotations

import io
import json
import re
import shlex
from pathlib import Path

import pytest

from toolace_mt.cli import main

PENDING = "#W1201"  # a pending order of retail seed 0 (the chain's first call shows it)


def _calls(path: Path, *calls: object) -> Path:
    path.write_text("\n".join(c if isinstance(c, str) else json.dumps(c) for c in calls) + "\n", encoding="utf-8")
    return path


def test_a_write_is_seen_by_the_next_call_on_the_same_env(tmp_path: Path, capsys) -> None:
    chain = _calls(tmp_path / "chain.jsonl",
                   {"name": "get_order", "arguments": {"order_id": PENDING}},
                   "",
                   {"name": "cancel_order", "arguments": {"order_id": PENDING, "reason": "ordered_by_mistake"}},
                   {"name": "get_order", "arguments": {"order_id": PENDING}})
    assert main(["call", "retail", "--calls", str(chain), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["call"], r["line"], r["name"], r["ok"]) for r in rows] == [
        (1, 1, "get_order", True), (2, 3, "cancel_order", True), (3, 4, "get_order", True)]
    assert rows[0]["result"]["status"] == "pending" and rows[2]["result"]["status"] == "cancelled"
    assert rows[0]["diff"] == {"tables": {}} and rows[2]["diff"] == {"tables": {}}  # reads change nothing
    assert "orders" in rows[1]["diff"]["tables"] and rows[1]["state_hash"] == rows[2]["state_hash"]
    assert rows[0]["state_hash"] != rows[1]["state_hash"]


def test_the_text_output_names_each_call_and_a_failure_does_not_stop_the_chain(tmp_path: Path, capsys) -> None:
    chain = _calls(tmp_path / "chain.jsonl",
                   {"name": "cancel_order", "arguments": {"order_id": "#W1001"}},
                   {"name": "get_order", "arguments": {"order_id": PENDING}})
    assert main(["call", "retail", "--calls", str(chain)]) == 1
    out = capsys.readouterr().out
    assert '[1] cancel_order {"order_id": "#W1001"}\nerror: ToolError: order #W1001 was delivered' in out
    assert '[2] get_order {"order_id": "#W1201"}\n{\n  "order_id": "#W1201"' in out
    assert "2 call(s), 1 failed; state: " in out and "changed in all: no change" in out


def test_bad_lines_are_reported_with_file_and_line_and_nothing_runs(tmp_path: Path, capsys) -> None:
    chain = _calls(tmp_path / "bad.jsonl",
                   {"name": "cancel_order", "arguments": {"order_id": PENDING}},
                   '{"name": "get_order"',
                   "[1, 2]",
                   '{"name": "get_order", "arguments": {"order_id": "a", "order_id": "b"}}',
                   '{"name": "get_order", "arguments": {"n": NaN}}',
                   {"name": "get_order", "args": {}},
                   {"name": "get_order", "arguments": ["#W1001"]})
    assert main(["call", "retail", "--calls", str(chain)]) == 2
    out = capsys.readouterr()
    assert out.out == ""  # not even the valid first call ran
    lines = out.err.splitlines()
    assert lines[0].startswith("toolace-mt: --calls: not a calls file")
    assert lines[1].startswith(f"{chain}:2: not JSON: Expecting ")
    assert lines[2] == f'{chain}:3: expected an object {{"name": ..., "arguments": {{...}}}}, got list'
    assert lines[3].startswith(f'{chain}:4: not JSON: duplicate key "order_id"')
    assert lines[4] == f"{chain}:5: not JSON: NaN is not a JSON number"
    assert lines[5] == f"{chain}:6: args: Extra inputs are not permitted"
    assert lines[6] == f"{chain}:7: arguments: Input should be a valid dictionary"


def test_calls_come_from_stdin_with_a_dash(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    text = json.dumps({"name": "get_order", "arguments": {"order_id": PENDING}}) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["call", "retail", "--calls", "-", "--json"]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["ok"] and row["result"]["order_id"] == PENDING and row["line"] == 1
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"{oops}\n")))
    assert main(["call", "retail", "--calls", "-"]) == 2
    assert "<stdin>:1: not JSON: " in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["call", "retail"], "name a TOOL (and its ARGS_JSON), or give --calls FILE.jsonl"),
    (["call", "retail", "get_order", "--calls", "x.jsonl"], "give either TOOL [ARGS_JSON] or --calls FILE, not both"),
    (["call", "retail", "--calls", "missing.jsonl"], "--calls: no such file: missing.jsonl"),
])
def test_usage_errors_exit_2(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_empty_calls_file_is_an_error(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["call", "retail", "--calls", str(empty)]) == 2
    assert f"{empty}: no calls (one JSON object per line" in capsys.readouterr().err


def test_the_readme_chain_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The command line\n", 1)[1].split("\n## ", 1)[0]
    block = next(b for b in re.findall(r"```bash\n(.*?)```", section, re.S) if "--calls chain.jsonl" in b)
    printf, command = block.replace("\\\n", " ").strip().splitlines()
    words = shlex.split(printf.split(">")[0])
    assert words[:2] == ["printf", "%s\\n"] and printf.rstrip().endswith("> chain.jsonl")
    monkeypatch.chdir(tmp_path)
    Path("chain.jsonl").write_text("\n".join(words[2:]) + "\n", encoding="utf-8")
    argv = shlex.split(command.split("#")[0])
    assert argv[0] == "toolace-mt" and main(argv[1:]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["result"].get("status") for r in rows] == ["pending", "cancelled", "cancelled"]
