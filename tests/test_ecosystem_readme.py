"""The README's examples for `export --format hf`, `stats --html` and "Serve an environment
over MCP" run as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

os.environ["HF_DATASETS_OFFLINE"] = "1"  # before `datasets` is imported: nothing may be downloaded
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest
from test_stats import _write, two_dialogues

from toolace_mt.cli import build_parser, cmd_serve, main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
STATS = README.split("## Statistics and export\n", 1)[1].split("\n## ", 1)[0]
HF = STATS.split("### A Hugging Face dataset: `--format hf`\n", 1)[1].split("\n### ", 1)[0]
HTML = STATS.split("### An HTML report: `stats --html`\n", 1)[1].split("\n### ", 1)[0]
MCP = README.split("## Serve an environment over MCP\n", 1)[1].split("\n## ", 1)[0]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_hf_example_exports_and_loads(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "data.jsonl", [r.to_json() for r in two_dialogues()])
    (command,) = (shlex.split(line) for line in _blocks(HF, "bash")[0].strip().splitlines())
    assert main(command[1:]) == 0
    assert (tmp_path / "train_dataset" / "README.md").is_file()
    capsys.readouterr()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # the cache goes here, not into ~
    exec(compile(_blocks(HF, "python")[0], "README-hf", "exec"), {})  # our own README, not model output
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "retail d1 ['clarification', 'refine', 'refine'] 10"
    assert lines[1] == "get_order"
    assert lines[2] == "<|im_start|>system"


def test_html_example_writes_the_page(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "data.jsonl", [r.to_json() for r in two_dialogues()])
    (command,) = (shlex.split(line) for line in _blocks(HTML, "bash")[0].strip().splitlines())
    assert main(command[1:]) == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<section id="failed-checks">' in page


def test_mcp_commands_and_client_config_are_valid() -> None:
    commands = [shlex.split(line) for line in _blocks(MCP, "bash")[0].strip().splitlines()]
    parser = build_parser()
    serve = [parser.parse_args(c[1:]) for c in commands if c[1] == "serve"]
    assert [(a.env, a.seed, a.transport, a.port, a.record) for a in serve] == [
        ("retail", 7, "stdio", 8000, None), ("retail", 0, "http", 8765, Path("sessions.jsonl"))]
    assert all(a.handler is cmd_serve for a in serve)
    assert commands[-1] == ["toolace-mt", "verify", "sessions.jsonl", "--checks", "replay,state"]
    config = json.loads(_blocks(MCP, "json")[0])["mcpServers"]
    stdio = parser.parse_args(config["toolace-retail"]["args"])
    assert config["toolace-retail"]["command"] == "toolace-mt" and stdio.handler is cmd_serve
    assert (stdio.env, stdio.seed, stdio.record) == ("retail", 7, Path("sessions.jsonl"))
    assert config["toolace-retail-http"] == {"type": "http", "url": "http://127.0.0.1:8765/mcp"}


@pytest.mark.slow  # starts a server process (~3 s)
def test_mcp_python_example_runs(capfd: Any) -> None:
    source = _blocks(MCP, "python")[0]
    here = f'command={sys.executable!r}, args=["-m", "toolace_mt", "serve"'
    assert source.count('command="toolace-mt", args=["serve"') == 1  # the console script may not be on PATH here
    exec(compile(source.replace('command="toolace-mt", args=["serve"', here), "README-mcp", "exec"), {})
    assert capfd.readouterr().out.splitlines() == ["12 delivered", "True ToolError", "2"]
