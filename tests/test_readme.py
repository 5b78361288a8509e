"""The README's examples run as written, and CI runs the README's commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sandbox import load_env
from sandbox.check import check_env
from toolace_mt.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_setup_commands_are_what_ci_runs() -> None:
    install, test = (b.strip() for b in _blocks("bash")[:2])
    ci = (ROOT / ".ci" / "run").read_text()
    assert install in ci and test in ci
    assert "toolace-mt generate --env retail" in install and "toolace-mt stats retail.jsonl" in install


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_first_command_generates_verified_dialogues(tmp_path: Path, monkeypatch, capsys) -> None:
    install = _blocks("bash")[0].strip()
    generate = install.split(" && ")[2].split()[1:]
    stats = install.split(" && ")[3].split()[1:]
    assert generate == ["generate", "--env", "retail", "-n", "20", "--seed", "7", "-o", "retail.jsonl"]
    monkeypatch.chdir(tmp_path)
    assert main(generate) == 0
    assert "accepted 20/20 into retail.jsonl" in capsys.readouterr().out
    lines = (tmp_path / "retail.jsonl").read_text().splitlines()
    assert len(lines) == 20 and all(json.loads(line)["verification"]["passed"] for line in lines)
    assert main(["verify", "retail.jsonl", "--json"]) == 0
    assert main(stats) == 0
    assert "20" in capsys.readouterr().out


def test_env_module_example_loads_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "bookshop.py"
    path.write_text(_blocks("python")[0])
    assert check_env(path) == []
    with load_env(path, seed=1) as env:
        assert [t.name for t in env.tools] == ["get_book", "borrow_book"]
        assert env.row_counts() == {"books": 120, "loans": 0}
        book = env.query("SELECT book_id FROM books WHERE stock > 0 ORDER BY book_id LIMIT 1")[0]["book_id"]
        loan = env.call("borrow_book", {"book_id": book})
        assert loan.ok and loan.result["book_id"] == book and loan.result["kind"] == "standard"
        assert env.diff().summary() == "books: 1 changed; loans: 1 added"
        empty = env.query("SELECT book_id FROM books WHERE stock = 0 LIMIT 1")[0]["book_id"]
        refused = env.call("borrow_book", {"book_id": empty})
        assert refused.error.type == "ToolError" and refused.error.message == f"book {empty} is out of stock"


def test_python_api_example_runs() -> None:
    exec(compile(_blocks("python")[1], "README-api", "exec"), {})  # our own README, not model output


def test_record_example_runs() -> None:
    exec(compile(_blocks("python")[2], "README-record", "exec"), {})  # our own README, not model output


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_verify_example_passes_on_the_fixtures(tmp_path: Path, monkeypatch, capsys) -> None:
    command = next(b for b in _blocks("bash") if b.startswith("toolace-mt verify fixtures/")).split()
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures" / "dialogues").glob("*.jsonl"))
    assert len(files) >= 4
    monkeypatch.chdir(ROOT)
    report = tmp_path / "report.json"
    args = [*command[1:2], *files, "--workers", "2", "--report", str(report)]
    assert command[2:] == ["fixtures/dialogues/*.jsonl", "--workers", "2", "--report", "verify-report.json"]
    assert main(args) == 0
    summary = json.loads(report.read_text())
    assert summary["failed"] == 0 and summary["dialogues"] >= 16
    assert "dialogues" in capsys.readouterr().out


@pytest.mark.slow
def test_the_check_selection_examples_pass_on_the_fixtures(monkeypatch, capsys) -> None:
    block = next(b for b in _blocks("bash") if "--checks trajectory" in b)
    commands = [line.split("#")[0].split() for line in block.strip().splitlines()]
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures" / "dialogues").glob("*.jsonl"))
    monkeypatch.chdir(ROOT)
    for command in commands:
        assert command[:3] == ["toolace-mt", "verify", "fixtures/dialogues/*.jsonl"]
        assert main(["verify", *files, *command[3:], "--json"]) == 0
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
        assert lines and all(line.get("passed", True) for line in lines)
