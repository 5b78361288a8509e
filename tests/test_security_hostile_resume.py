"""Red team, round 2: the files generate resumes from are edited by anyone.

OUT.settings.json was parsed with json.loads: a list nested 100,000 deep raised
RecursionError out of `generate --resume` (a traceback), and the file was read whole
whatever its size. OUT.attempts.jsonl (read by --resume and by stats) was read line by line
with no bound on a line's length. Both are now bounded, and a bad file is a ResumeError
naming it, or a skipped line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.generation.attempt_log import AttemptLine, attempts_path, read_attempt_lines, summarise_attempts
from toolace_mt.generation.run import MAX_SETTINGS_BYTES, SETTINGS_FORMAT, ResumeError, read_identity, settings_path
from toolace_mt.strict_json import MAX_LINE_BYTES


def _attempt(number: int, accepted: bool = True) -> str:
    return AttemptLine(attempt=number, env="retail", id=f"r{number}" if accepted else None, accepted=accepted,
                       failed_checks=[] if accepted else ["grounding"], reason=None, seconds=1.5,
                       cost={"total_calls": 2}).model_dump_json() + "\n"


@pytest.mark.parametrize(("text", "fragment"), [
    ("[" * 100_000 + "]" * 100_000, "nested deeper than"),
    ('{"format": "toolace-mt generate settings", "settings": {"seed": NaN}}', "NaN is not a JSON number"),
    ('{"format": "toolace-mt generate settings", "settings": {"a": 1, "a": 2}}', 'duplicate key "a"'),
    ('{"format": "toolace-mt generate settings", "settings": {"n": ' + "9" * 5000 + "}}", "4300 digits"),
    ("\udcff", "utf-8"),
])
def test_a_settings_file_that_is_no_json_object_is_a_resume_error(tmp_path: Path, text: str, fragment: str) -> None:
    out = tmp_path / "out.jsonl"
    settings_path(out).write_text(text, encoding="utf-8", errors="surrogateescape")
    with pytest.raises(ResumeError) as caught:
        read_identity(out)
    message = str(caught.value)
    assert message.startswith(f"cannot read {settings_path(out)}: ") and fragment in message
    assert message.endswith("remove it to resume without the settings check")


def test_an_oversized_settings_file_is_refused_unread(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    settings_path(out).write_text('{"format": "' + "x" * MAX_SETTINGS_BYTES + '"}')
    with pytest.raises(ResumeError, match=f"it is over {MAX_SETTINGS_BYTES} bytes"):
        read_identity(out)


def test_a_good_settings_file_still_reads(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    settings_path(out).write_text(json.dumps({"format": SETTINGS_FORMAT, "version": 1, "settings": {"seed": 3}}))
    assert read_identity(out) == {"seed": 3}


def test_an_overlong_attempt_line_is_skipped_and_the_others_count(tmp_path: Path) -> None:
    log = attempts_path(tmp_path / "out.jsonl")
    log.write_text(_attempt(0) + '{"attempt": "' + "x" * (MAX_LINE_BYTES + 10) + '"}\n' + _attempt(1, False)
                   + "[" * 100_000 + "\n" + '{"attempt": NaN}\n' + _attempt(2))
    assert [line.attempt for line in read_attempt_lines(log)] == [0, 1, 2]
    summary = summarise_attempts(log)
    assert (summary.attempts, summary.accepted, summary.failed_by_check) == (3, 2, {"grounding": 1})
