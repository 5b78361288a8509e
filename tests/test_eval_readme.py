"""The README's "Evaluating agents" and "Regression tests with pytest" examples run as
written (like test_readme.py for the other sections)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolace_mt.cli import main

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SECTION = README[README.index("## Evaluating agents"):README.index("## Development")]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SECTION, re.S)


def test_eval_commands_run_on_the_fixtures(tmp_path: Path, monkeypatch, capsys) -> None:
    gold, noop = _blocks("bash")[0].strip().splitlines()
    assert gold == "toolace-mt eval fixtures/dialogues/retail.jsonl --agent gold"
    monkeypatch.chdir(ROOT)
    assert main(gold.split()[1:]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and re.search(r"^all\s+5\s+5\s+1\.00", out, re.M)
    args = noop.split()[1:]
    assert args[-2:] == ["--report", "noop-report.json"]
    report = tmp_path / "noop-report.json"
    assert main([*args[:-1], str(report)]) == 0
    summary = json.loads(report.read_text())
    assert summary["state_changing"] == {"dialogues": 4, "passed": 0}


def test_the_agent_example_is_a_working_agent(tmp_path: Path, capsys) -> None:
    agent = tmp_path / "my_agent.py"
    agent.write_text(_blocks("python")[0], encoding="utf-8")
    report = tmp_path / "report.json"
    data = ROOT / "fixtures" / "dialogues" / "retail.jsonl"
    assert main(["eval", str(data), "--agent", f"{agent}:agent", "--json", "--report", str(report)]) == 0
    rows = {row["id"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}
    summary = json.loads(report.read_text())
    assert summary["dialogues"] == 5 and summary["calls"]["agent"] > 0
    # it asks for the order number where the record does, and looks an order up where the user gives one
    asks = rows["retail-return-needs-order-number"]["turns"][0]
    assert asks["passed"] and asks["abstention"] == {"applies": True, "passed": True, "problem": None}
    looks_up = rows["retail-cancel-tool-withheld"]["turns"][0]
    assert looks_up["agent_calls"] == [{"name": "get_order", "arguments": {"order_id": "#W1184"}, "ok": True}]
    assert looks_up["calls"]["matched"] == 1 and looks_up["state"]["passed"]


def test_the_fixture_example_passes_under_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_retail_rules=_blocks("python")[1])
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
