"""`stats`' trajectory section: the share of dialogues with each finding, from the
records alone (no replay), with `unknown` where the env's policy is needed and missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.cli import main
from toolace_mt.jsonl import RecordLine, read_records
from toolace_mt.stats import compute_stats, render_table
from toolace_mt.verifier.trajectory import FINDING_KINDS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "dialogues" / "retail.jsonl"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _dumped(line: str) -> str:
    """The fixture line with its last reply turned into a field dump."""
    data = json.loads(line)
    data["messages"][-1]["content"] = "order ID: #W1; status: pending; total: 40."
    return json.dumps(data)


def test_shares_per_finding_over_the_file(tmp_path: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    path = _write(tmp_path / "mixed.jsonl", [_dumped(lines[0]), _dumped(lines[1]), *lines[2:]])
    stats = compute_stats([path])
    assert set(stats.trajectory) == {kind.kind for kind in FINDING_KINDS}
    dump = stats.trajectory["field_dump"]
    assert (dump.check, dump.dialogues, dump.with_finding, dump.instances) == ("reply_style", 5, 2, 2)
    assert dump.share == 2 / 5
    clean = stats.trajectory["unconfirmed_write"]  # needs the env: retail loads unchanged here
    assert (clean.dialogues, clean.with_finding, clean.unknown, clean.share) == (5, 0, 0, 0.0)
    assert stats.trajectory_unknown_envs == {}


def test_findings_that_need_the_env_are_unknown_when_it_changed(tmp_path: Path) -> None:
    lines = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data["env_digest"] = "0" * 64  # made with another version of the env
        lines.append(json.dumps(data))
    stats = compute_stats([_write(tmp_path / "old.jsonl", lines)])
    assert stats.trajectory["unconfirmed_write"].unknown == 5 and stats.trajectory["unconfirmed_write"].share is None
    assert stats.trajectory["field_dump"].dialogues == 5  # judged from the messages alone
    assert "digest mismatch" in stats.trajectory_unknown_envs["retail"]


def test_the_table_and_json_show_the_section(tmp_path: Path, capsys) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    path = _write(tmp_path / "one.jsonl", [_dumped(lines[0])])
    table = render_table(compute_stats([path]))
    row = next(line for line in table.splitlines() if line.startswith("field_dump"))
    assert row.split()[:4] == ["field_dump", "reply_style", "1/1", "100.0%"]
    assert main(["stats", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trajectory"]["field_dump"]["share"] == 1.0 and data["trajectory"]["unused_call"]["share"] == 0.0


def test_stats_does_not_need_a_verification(tmp_path: Path) -> None:
    """Findings come from the messages, whatever `verification` says."""
    records = [line.record for line in read_records(FIXTURE) if isinstance(line, RecordLine)]
    assert all(record.verification is None for record in records)
    stats = compute_stats([FIXTURE])
    assert stats.verified == 0 and all(rate.with_finding == 0 for rate in stats.trajectory.values())


def _naming_env(env: str) -> str:
    data = json.loads(FIXTURE.read_text(encoding="utf-8").splitlines()[0])
    data["env"] = env
    return json.dumps(data)


def test_an_env_path_in_a_record_is_never_opened_by_stats(tmp_path: Path) -> None:
    """A record's env is hostile: stats resolves it as verify does, so a path outside the
    directories the user passed is refused unread (a file read would report its syntax)."""
    evil = tmp_path / "envs" / "evil.py"
    evil.parent.mkdir()
    evil.write_text('password = "hunter2" )(\n', encoding="utf-8")
    path = _write(tmp_path / "hostile.jsonl", [_naming_env(str(evil)), _naming_env("/etc/passwd")])
    stats = compute_stats([path])
    why = stats.trajectory_unknown_envs
    assert set(why) == {str(evil), "/etc/passwd"}
    assert all("--env-dir" in reason and "syntax" not in reason and "hunter2" not in reason
               for reason in why.values())
    assert all(c.env_error is not None and "syntax" not in c.env_error for c in stats.tool_coverage.values())
    # named by its place under a directory the user passed, it is read (and here fails to compile)
    inside = _write(tmp_path / "inside.jsonl", [_naming_env("evil.py")])
    code = main(["stats", str(inside), "--env-dir", str(evil.parent), "--json"])
    assert code == 0


def test_stats_takes_env_dirs_for_file_envs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [line for line in (ROOT / "tests" / "data" / "audit" / "audit.jsonl").read_text(encoding="utf-8")
             .splitlines() if '"env":"message.py"' in line.replace(" ", "")]
    path = _write(tmp_path / "message.jsonl", lines)
    assert main(["stats", str(path), "--json", "--env-dir", str(ROOT / "fixtures" / "envs")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trajectory_unknown_envs"] == {}
    assert data["trajectory"]["repeated_call"]["with_finding"] == 1
    assert main(["stats", str(path), "--json"]) == 0  # without it: unknown, with the reason
    data = json.loads(capsys.readouterr().out)
    assert "--env-dir" in data["trajectory_unknown_envs"]["message.py"]
