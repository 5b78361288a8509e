"""Red team, round 2: record text printed on a terminal carries no escape sequence.

verify printed `FAIL {id}` and each failure's message, and stats its env table, with the
records' ids, env names and tool names as they were: an id holding ESC ] 0 ; ... BEL set
the terminal's title, ESC [ 2 J cleared the screen, OSC 52 writes the clipboard on many
terminals, and U+202E reverses what follows. They are now printed as escapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.cli import main
from toolace_mt.terminal_text import shown

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "fixtures" / "dialogues" / "retail.jsonl").read_text().splitlines()[0]
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b]52;c;aGk=\x07\u202e\x9b31m\x00\r"


@pytest.mark.parametrize(("text", "expected"), [
    ("\x1b[2J", "\\x1b[2J"), ("a\x07b", "a\\x07b"), ("\u202egnp.exe", "\\u202egnp.exe"), ("\x9b", "\\x9b"),
    ("line\nnext", "line\\x0anext"), ("tab\there", "tab\\x09here"), ("plain – ü 東京", "plain – ü 東京"),
])
def test_shown_escapes_control_and_bidi_characters(text: str, expected: str) -> None:
    assert shown(text) == expected


def test_shown_can_keep_line_breaks() -> None:
    assert shown("a\x1b\nb\r\n", keep_lines=True) == "a\\x1b\nb\\x0d\n"


def _hostile_records(tmp_path: Path) -> Path:
    record = json.loads(GOOD)
    record["id"] = "r" + ESCAPES
    record["env"] = "retail" + ESCAPES
    first_call = next(m for m in record["messages"] if m.get("tool_calls"))
    first_call["tool_calls"][0]["function"]["name"] += ESCAPES
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(record) + "\n" + GOOD + "\n")
    return path


def _assert_no_control(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b\u202e\x00\r"), repr(text[:200])


def test_stats_prints_record_names_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(_hostile_records(tmp_path))]) == 0
    out = capsys.readouterr()
    _assert_no_control(out.out + out.err)
    assert "retail\\x1b]0;owned\\x07" in out.out


@pytest.mark.slow
def test_verify_prints_record_ids_and_messages_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(_hostile_records(tmp_path))]) == 1
    out = capsys.readouterr()
    _assert_no_control(out.out + out.err)
    assert "FAIL r\\x1b]0;owned\\x07\\x1b[2J" in out.out


@pytest.mark.parametrize("fmt", ["openai", "hf"])
def test_export_names_a_skipped_record_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    record = json.loads(GOOD)
    record["id"] = "r" + ESCAPES
    record["verification"] = {"passed": False, "checks": ["replay"],
                              "failures": [{"check": "replay", "message": "x", "message_index": None}]}
    source = tmp_path / "records.jsonl"
    source.write_text(json.dumps(record) + "\n" + GOOD + "\n")
    target = tmp_path / ("out" if fmt == "hf" else "out.jsonl")
    assert main(["export", str(source), "--format", fmt, "-o", str(target)]) == 1  # 1: a record was skipped
    out = capsys.readouterr()
    _assert_no_control(out.out + out.err)
    assert "r\\x1b]0;owned\\x07" in out.err
