"""Red team, round 2: record lines crafted to make the strict-JSON screen slow.

Every record line passes strict_json before anything else reads it (verify, eval, stats,
export, `call --calls`). Its screens ran regular expressions over the whole line, and two
of them were super-linear on crafted text: a line of escaped quotes (each one began a
string scan to the end of the line: 38 s for 80 KB, hours for a 4 MB line) and runs of
299 digits (each digit began a run scan). These lines must now fail as ordinary bad
records, in time proportional to their length.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.call_sequence import CallsFileError, read_calls
from toolace_mt.jsonl import BadLine, parse_line
from toolace_mt.strict_json import StrictJSONError, depth_of, loads_strict

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
