"""Red team, round 2: record lines crafted to make the strict-JSON screen slow, and env
references crafted to make the file lookup fail.

Every record line passes strict_json before anything else reads it (verify, eval, stats,
export, `call --calls`). Its screens ran regular expressions over the whole line, and two
of them were super-linear on crafted text: a line of escaped quotes (each one began a
string scan to the end of the line: 38 s for 80 KB, hours for a 4 MB line) and runs of
299 digits (each digit began a run scan). These lines must now fail as ordinary bad
records, in time proportional to their length.

A record's env reference is looked up on disk: names no file system can hold, link loops
and links out of --env-dir must be an EnvRefError (a failed record), never an OSError.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolace_mt.call_sequence import CallsFileError, read_calls
from toolace_mt.env_refs import EnvRefError, EnvRefs
from toolace_mt.jsonl import BadLine, parse_line
from toolace_mt.strict_json import StrictJSONError, depth_of, loads_strict

ROOT = Path(__file__).resolve().parent.parent
ESCAPED_QUOTES = '"' + '\\"' * 200_000  # 400 KB: before the fix, about 15 minutes of regex
DIGIT_RUNS = "[" + ",".join(["9" * 299] * 13_000) + "]"  # 3.9 MB


def test_a_line_of_escaped_quotes_is_malformed_json() -> None:
    with pytest.raises(ValueError, match="Unterminated string") as caught:
        loads_strict(ESCAPED_QUOTES)
    assert not isinstance(caught.value, StrictJSONError)


@pytest.mark.parametrize("text", [
    '{"a": ' + ESCAPED_QUOTES,
    "[" * 70 + ESCAPED_QUOTES,  # enough brackets to take the depth screen
    '{"k": "' + "\\" * 100_001,
])
def test_unterminated_strings_fail_as_a_bad_record_line(text: str) -> None:
    bad = parse_line("records.jsonl", 3, text + "\n")
    assert isinstance(bad, BadLine) and bad.line == 3
    assert bad.reason.startswith(("malformed JSON", "not strict JSON"))


def test_runs_of_long_digits_are_read() -> None:
    assert len(loads_strict(DIGIT_RUNS)) == 13_000


@pytest.mark.parametrize(("text", "depth"), [
    ('["[[[", {"a": "]]]"}]', 2), ('["\\"[[", ["x"]]', 2), ('"\\\\"', 0), ('[["a\\\\"], "b"]', 2),
])
def test_brackets_inside_strings_still_do_not_count(text: str, depth: int) -> None:
    assert depth_of(text) == depth
    json.loads(text)


@pytest.mark.parametrize(("text", "fragment"), [
    ("[1e400]", "the number 1e400 is out of range"),
    ('{"a": "\\"", "b": 1E999}', "the number 1E999 is out of range"),
    ("[" + "1" * 310 + ".5]", "out of range"),
    ('{"a": 1, "a": 2}', 'duplicate key "a"'),
    ("[NaN]", "NaN is not a JSON number"),
    ("[" * 65 + "]" * 65, "nested deeper than 64 levels"),
])
def test_what_a_record_must_not_hold_is_still_refused(text: str, fragment: str) -> None:
    with pytest.raises(StrictJSONError) as caught:
        loads_strict(text)
    assert fragment in str(caught.value)


def test_a_calls_file_of_escaped_quotes_names_the_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text('{"name": "ping"}\n' + ESCAPED_QUOTES + "\n" + DIGIT_RUNS + "\n")
    with path.open("rb") as handle, pytest.raises(CallsFileError) as caught:
        read_calls(handle, "calls.jsonl")
    assert str(caught.value).split("\n") == [
        "calls.jsonl:2: not JSON: Unterminated string starting at: line 1 column 1 (char 0)",
        "calls.jsonl:3: expected an object {\"name\": ..., \"arguments\": {...}}, got list"]


# -------------------------------------------------------------- env references of records

@pytest.fixture
def env_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "envs"
    directory.mkdir()
    (directory / "shop.py").write_text("# an env file\n")
    (directory / "loop.py").symlink_to(directory / "loop.py")  # a link to itself
    (directory / "out.py").symlink_to(tmp_path / "secret.py")
    (tmp_path / "secret.py").write_text("SECRET = 1\n")
    (directory / "folder.py").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(directory / "pipe.py")
    return directory


@pytest.mark.parametrize("ref", [
    "a" * 300 + ".py",  # ENAMETOOLONG: an OSError out of verify before round 2
    "sub/" + "b" * 255 + "x.py",
    "loop.py",  # a link loop: RuntimeError (3.11) or OSError (3.13)
    "out.py",  # a link out of the directory
    "folder.py", "pipe.py",  # not regular files
    "../secret.py", "x/../../secret.py",
])
def test_a_reference_that_is_no_file_inside_the_dir_is_an_env_ref_error(env_dir: Path, ref: str) -> None:
    refs = EnvRefs(dirs=(env_dir,))
    with pytest.raises(EnvRefError) as caught:
        refs.resolve(ref)
    assert "is not under the env directories passed" in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert refs.resolve("shop.py") == str((env_dir / "shop.py").resolve())  # the plain case still resolves


@pytest.mark.parametrize("ref", ["a\ud800.py", "\udcff", "shop\x00.py", "shop\n.py"])
def test_a_reference_no_file_name_can_hold_is_refused_as_such(env_dir: Path, ref: str) -> None:
    with pytest.raises(EnvRefError, match="is not a name or a relative path"):
        EnvRefs(dirs=(env_dir,)).resolve(ref)


@pytest.mark.slow
def test_verify_reports_hostile_env_references_as_failed_records_and_goes_on(env_dir: Path, tmp_path: Path) -> None:
    good = (ROOT / "fixtures" / "dialogues" / "retail.jsonl").read_text().splitlines()[0]
    lines = []
    for index, ref in enumerate(["a" * 300 + ".py", "loop.py", "out.py"]):
        record = json.loads(good)
        record.update(env=ref, id=f"hostile-{index}")
        lines.append(json.dumps(record))
    records = tmp_path / "records.jsonl"
    records.write_text("\n".join([*lines, good]) + "\n")
    done = subprocess.run([sys.executable, "-m", "toolace_mt", "verify", str(records), "--env-dir", str(env_dir),
                           "--json"], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr
    outcomes = {d["id"]: d for d in map(json.loads, done.stdout.splitlines()) if "id" in d}
    assert [outcomes[f"hostile-{i}"]["failures"][0]["check"] for i in range(3)] == ["replay"] * 3
    assert outcomes[json.loads(good)["id"]]["passed"] is True
