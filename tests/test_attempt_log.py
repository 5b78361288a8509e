"""generate's OUT.attempts.jsonl: a line per attempt (dropped ones too) with its wall time
and cost, trimmed on --resume, summarised by `stats`."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from toolace_mt.cli import main
from toolace_mt.generation import run
from toolace_mt.generation.attempt_log import attempts_path, read_attempt_lines, summarise_attempts
from toolace_mt.record import Failure, Record, Verification
from toolace_mt.verifier import Verifier
from toolace_mt.verifier.dialogue import CORE_CHECK_IDS

N = 3


def _drop_odd_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate fails every odd attempt (a stand-in for a verifier that finds a fault), and
    only those: it runs the core checks, so the log's counts are the test's alone (the
    trajectory checks' own gate is tested in test_generate.py)."""
    verify = Verifier.verify
    monkeypatch.setattr(run, "Verifier", partial(Verifier, checks=CORE_CHECK_IDS))

    def failing(self: Verifier, record: Record) -> Verification:
        result = verify(self, record)
        if (record.provenance.attempt or 0) % 2:
            return Verification(passed=False, checks=result.checks,
                                failures=[Failure("consistency", "odd attempt (test)")])
        return result

    monkeypatch.setattr(Verifier, "verify", failing)


def _generate(out: Path, *extra: str) -> int:
    return main(["generate", "--env", "retail", "-n", str(N), "--seed", "5", "-o", str(out), *extra])


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def dropped_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("attempts") / "out.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        _drop_odd_attempts(patch)
        assert _generate(out) == 0
    return out


@pytest.mark.slow
def test_every_attempt_has_a_line_with_its_outcome_time_and_cost(dropped_run: Path) -> None:
    lines = read_attempt_lines(attempts_path(dropped_run))
    records = _records(dropped_run)
    assert [line.attempt for line in lines] == [0, 1, 2, 3, 4]  # 3 accepted: attempts 0, 2, 4
    assert [line.accepted for line in lines] == [True, False, True, False, True]
    assert [line.id for line in lines if line.accepted] == [r["id"] for r in records]
    assert [line.failed_checks for line in lines if not line.accepted] == [["consistency"], ["consistency"]]
    for line in lines:
        assert line.env == "retail" and line.reason is None
        assert 0 < line.seconds < 60
    # an accepted attempt's cost is its record's; a dropped one's is kept only here
    by_id = {r["id"]: r["provenance"]["cost"] for r in records}
    assert all(line.cost == by_id[line.id] for line in lines if line.id is not None)
    assert all(line.cost["total_calls"] > 0 for line in lines)


def test_stats_reports_the_runs_pass_rate_from_the_log(dropped_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(dropped_run), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["pass_rate"] == 1.0  # the file holds accepted records only
    [log] = stats["attempt_logs"]
    assert (log["attempts"], log["accepted"], log["pass_rate"]) == (5, 3, 0.6)
    assert log["failed_by_check"] == {"consistency": 2}
    lines = read_attempt_lines(attempts_path(dropped_run))
    assert log["model_calls_per_accepted"] == pytest.approx(sum(x.cost["total_calls"] for x in lines) / 3)
    assert main(["stats", str(dropped_run)]) == 0
    table = capsys.readouterr().out
    assert "attempts (generate's log)   5, 3 accepted: pass rate 60.0%" in table
    assert "dropped by check: consistency 2" in table


@pytest.mark.slow
def test_resume_cuts_the_lines_of_attempts_it_runs_again(dropped_run: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after attempt 3's line (dropped) and a torn line: the resumed run continues at
    attempt 3 and its log has each attempt once, as the uninterrupted run's."""
    out = tmp_path / "out.jsonl"
    records = dropped_run.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(records[:2]))  # attempts 0 and 2
    (tmp_path / "out.jsonl.settings.json").write_bytes(Path(str(dropped_run) + ".settings.json").read_bytes())
    log = attempts_path(dropped_run).read_bytes().splitlines(keepends=True)
    attempts_path(out).write_bytes(b"".join(log[:4]) + log[4][:20])
    _drop_odd_attempts(monkeypatch)
    assert _generate(out, "--resume") == 0
    assert out.read_bytes() == dropped_run.read_bytes()
    assert [line.attempt for line in read_attempt_lines(attempts_path(out))] == [0, 1, 2, 3, 4]
    assert summarise_attempts(attempts_path(out)).accepted == N


def test_a_fresh_run_replaces_an_old_log(dropped_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    attempts_path(out).write_text(attempts_path(dropped_run).read_text(encoding="utf-8") * 2, encoding="utf-8")
    assert main(["generate", "--env", "retail", "-n", "1", "--seed", "5", "-o", str(out)]) == 0
    lines = read_attempt_lines(attempts_path(out))  # this run's attempts only: up to its one acceptance
    assert [line.attempt for line in lines] == list(range(len(lines)))
    assert [line.accepted for line in lines] == [False] * (len(lines) - 1) + [True]
