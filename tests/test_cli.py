"""`toolace-mt` commands: output, JSON shape, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.cli import main


def test_envs_list_json(capsys) -> None:
    assert main(["envs", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) >= {"retail", "travel", "banking", "calendar_mail"}
    for row in rows.values():
        assert row["tools"] >= 8 and 0 < row["write_tools"] < row["tools"] and row["tables"] >= 3
        assert row["description"]


def test_envs_show_json(capsys) -> None:
    assert main(["envs", "show", "banking", "--seed", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == 3 and len(data["state_hash"]) == 64 and len(data["env_digest"]) == 64
    assert all(t["type"] == "function" and "parameters" in t["function"] for t in data["tools"])
    assert max(t["rows"] for t in data["tables"]) >= 100
    assert all(t["primary_key"] for t in data["tables"])
    assert data["user_table"] == "customers"


def test_envs_show_marks_the_user_table(capsys) -> None:
    assert main(["envs", "show", "travel"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines if "USER_TABLE" in line] == ["passengers"]
    assert main(["envs", "show", "calendar_mail"]) == 0
    assert "USER_TABLE" not in capsys.readouterr().out


def test_call_json_ok_error_and_state(capsys) -> None:
    assert main(["call", "retail", "get_order", '{"order_id": "#W1001"}', "--json"]) == 0
    ok = json.loads(capsys.readouterr().out)
    assert ok["ok"] is True and ok["result"]["order_id"] == "#W1001" and ok["diff"] == {"tables": {}}
    assert main(["call", "retail", "get_order", '{"order_id": "#W9"}', "--json"]) == 1
    bad = json.loads(capsys.readouterr().out)
    assert bad["ok"] is False and bad["error"]["type"] == "ToolError" and "#W9" in bad["error"]["message"]
    assert bad["state_hash"] == ok["state_hash"]


def test_call_write_reports_diff(capsys) -> None:
    assert main(["call", "retail", "cancel_order", '{"order_id": "#W1001"}']) == 1
    assert "error: ToolError: order #W1001 was delivered" in capsys.readouterr().out


def test_bad_input_exits_2(capsys) -> None:
    assert main(["call", "retail", "get_order", "{not json"]) == 2
    assert "ARGS_JSON is not valid JSON" in capsys.readouterr().err
    assert main(["call", "nowhere", "get_order", "{}"]) == 2
    assert "unknown env 'nowhere'" in capsys.readouterr().err


def test_envs_check_reports_file_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('"""Bad."""\nfrom sandbox.authoring import tool\nimport os\n')
    assert main(["envs", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:3:" in out and "import of 'os' is not allowed" in out


def test_envs_check_flags_crashing_tool_and_bad_phrasing(tmp_path: Path, capsys) -> None:
    env = tmp_path / "crashy.py"
    env.write_text('"""Crashy."""\nfrom sandbox.authoring import tool\n'
                   'TABLES = "CREATE TABLE t (id INTEGER PRIMARY KEY)"\n\n'
                   'def seed(db, fake):\n    db.insert("t", [{"id": 1}])\n\n'
                   '@tool(phrasing=["get {nope}"])\ndef get(db, id: int) -> dict:\n'
                   '    """Get.\n\n    Args:\n        id: The id.\n    """\n'
                   '    return db.one("SELECT * FROM nowhere")\n')
    assert main(["envs", "check", str(env)]) == 1
    out = capsys.readouterr().out
    assert "phrasing 'get {nope}' names unknown parameter(s) ['nope']" in out
    assert f"{env}:9: calling 'get': ToolCrash: SQL failed" in out


def test_help_shows_examples(capsys) -> None:
    # In this process: a `python -m toolace_mt` start costs ~1.3 s CPU; test_mcp_server and
    # the test_security_hostile_* command-line tests run the module as a program.
    with pytest.raises(SystemExit) as exited:
        main(["call", "--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0 and "examples:" in out and "toolace-mt call retail" in out
    assert "--calls chain.jsonl" in out
