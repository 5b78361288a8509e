"""Issue 15 class 6: hostile dialogue records. Each probe is one line of a file that
also holds good records; `verify` must report the probe as a failed record with its
message, verify the good ones, read no file the user did not allow, run no schema the
record brings, and never print a traceback. The same file then goes through eval,
stats, export and the pytest plugin."""

from __future__ import annotations

import builtins
import io
import json
import os
import random
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from toolace_mt.cli import main
from toolace_mt.jsonl import BadLine, RecordLine, parse_line
from toolace_mt.record import Record
from toolace_mt.strict_json import MAX_DEPTH, MAX_LINE_BYTES
from toolace_mt.verifier import Verifier

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
MARKER = "MARKER_SECRET_5f1e0c"
REDOS = "^(a+)+$"


def _fixture(env: str, index: int = 0) -> dict[str, Any]:
    lines = (ROOT / "fixtures" / "dialogues" / f"{env}.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[index])


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _first_call(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    for index, message in enumerate(data["messages"]):
        if message["role"] == "assistant" and message.get("tool_calls"):
            return index, message["tool_calls"][0]
    raise AssertionError("the fixture makes no call")


def _with_tool_schema(change: Callable[[dict[str, Any], dict[str, Any]], None]) -> str:
    """The first retail fixture, its called tool's listed schema changed by `change(parameters, call)`."""
    data = _fixture("retail")
    _, call = _first_call(data)
    listed = next(t for t in data["tools"] if t["function"]["name"] == call["function"]["name"])
    change(listed["function"]["parameters"], call)
    return _line(data)


def _redos(parameters: dict[str, Any], call: dict[str, Any]) -> None:
    name = next(iter(json.loads(call["function"]["arguments"])))
    parameters["properties"][name]["pattern"] = REDOS


def _ref_loop(parameters: dict[str, Any], call: dict[str, Any]) -> None:
    parameters.clear()
    parameters["$ref"] = "#"


def _balance_twice() -> tuple[str, str, str]:
    """(line, the tampered tool content, the real content): the first balance is forged."""
    data = _fixture("banking")
    message = next(m for m in data["messages"] if m["role"] == "tool" and '"balance":' in m["content"])
    real = message["content"]
    message["content"] = real.replace('"balance":', '"balance":999999.99,"balance":', 1)
    return _line(data), message["content"], real


def _arguments(text: str) -> str:
    data = _fixture("retail")
    _, call = _first_call(data)
    call["function"]["arguments"] = text
    return _line(data)


def _env(ref: str) -> str:
    data = _fixture("retail")
    data["env"] = ref
    return _line(data)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass
class Probe:
    name: str
    line: str
    check: str
    message: str  # a substring of the failure's message


@dataclass
class Run:
    rows: list[dict[str, Any]]
    out: str
    err: str
    code: int
    opened: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def sandbox_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """outside/ holds secrets (a .netrc and a .py); envs/ is the env dir the user passes,
    with a symlink leading outside."""
    base = tmp_path_factory.mktemp("hostile")
    outside, envs = base / "outside", base / "envs"
    outside.mkdir()
    envs.mkdir()
    (outside / ".netrc").write_text(f"machine example.com login me password {MARKER}\n", encoding="utf-8")
    (outside / "secret.py").write_text(f'"""{MARKER}"""\nTABLES = "{MARKER}"\n', encoding="utf-8")
    (envs / "evil.py").symlink_to(outside / "secret.py")
    return {"base": base, "outside": outside, "envs": envs}


def _probes(dirs: dict[str, Path]) -> list[Probe]:
    balance_line, _, _ = _balance_twice()
    outside = dirs["outside"]
    tamper_top = _line(_fixture("retail")).replace('"env":"retail"', f'"env":"retail","env":"{outside / ".netrc"}"', 1)
    task_nan = _fixture("retail")
    task_nan["task"] = {"subtasks": [{"goal": "x", "calls": [{"name": "get_order", "arguments": {"n": 1}}]}]}
    bad_tools = _fixture("retail")
    bad_tools["tools"] = [{"function": []}, {"function": {"name": ["get_order"]}}, *bad_tools["tools"]]
    return [
        Probe("env names a dotfile", _env(str(outside / ".netrc")), "replay", "unknown env"),
        Probe("env escapes the env dir", _env("../outside/secret.py"), "replay", "not under the env directories"),
        Probe("env is a symlink out of the env dir", _env("evil.py"), "replay", "not under the env directories"),
        Probe("old absolute env path outside", _env(str(outside / "secret.py")), "replay",
              "not under the env directories"),
        Probe("ReDoS pattern in the record's tools", _with_tool_schema(_redos), "schema",
              "differs from the schema env retail derives"),
        Probe("$ref recursion in the record's tools", _with_tool_schema(_ref_loop), "schema",
              "differs from the schema env retail derives"),
        Probe("duplicate balance in a tool output", balance_line, "record", 'duplicate key "balance"'),
        Probe("duplicate top-level env", tamper_top, "record", 'duplicate key "env"'),
        Probe("duplicate key in arguments", _arguments('{"email": "a@b.c", "email": "x@y.z"}'), "record",
              'duplicate key "email"'),
        Probe("NaN in arguments", _arguments('{"email": NaN}'), "record", "NaN is not a JSON number"),
        Probe("NaN in the record", _line(task_nan).replace('"n":1', '"n":NaN'), "record", "NaN is not a JSON number"),
        Probe("Infinity by overflow", _line(task_nan).replace('"n":1', '"n":1e999'), "record", "out of range"),
        Probe("5000-deep arguments", _arguments(json.dumps({"email": "x"})[:-1] + ', "d": ' + _deep(5000) + "}"),
              "record", f"nested deeper than {MAX_DEPTH} levels"),
        Probe("5000-deep record", _line(task_nan).replace('"n":1', '"n":' + _deep(5000)), "record",
              f"nested deeper than {MAX_DEPTH} levels"),
        Probe("65-deep record", _line(task_nan).replace('"n":1', '"n":' + _deep(MAX_DEPTH)), "record",
              f"nested deeper than {MAX_DEPTH} levels"),
        Probe("tools of any shape", _line(bad_tools), "schema", "tools[0] with no name is not a tool of env retail"),
        Probe("a line over the size limit", '{"id": "' + "x" * (MAX_LINE_BYTES + 10) + '"}', "record",
              f"longer than {MAX_LINE_BYTES} bytes"),
    ]


def _good() -> list[str]:
    return [_line(_fixture("retail", 0)), _line(_fixture("retail", 1))]  # one env to load: a fast run


@pytest.fixture(scope="module")
def hostile_file(sandbox_dirs: dict[str, Path]) -> tuple[Path, list[Probe]]:
    """good, probe, good, probe, ... good: every probe sits between good records."""
    probes = _probes(sandbox_dirs)
    good = _good()
    lines: list[str] = []
    for position, probe in enumerate(probes):
        lines += [good[position % len(good)], probe.line]
    lines.append(good[0])
    path = sandbox_dirs["base"] / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, probes


def _spying(stack: ExitStack, opened: list[str], patterns: list[str]) -> None:
    """Record every file this process opens and every regex it compiles."""
    mp = stack.enter_context(pytest.MonkeyPatch.context())
    real_open, real_os_open, real_compile = io.open, os.open, re._compile  # type: ignore[attr-defined]

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(path))
        return real_os_open(path, *args, **kwargs)

    def spy_compile(pattern: Any, flags: Any) -> Any:
        patterns.append(str(pattern))
        return real_compile(pattern, flags)

    mp.setattr(io, "open", spy_open)
    mp.setattr(builtins, "open", spy_open)
    mp.setattr(os, "open", spy_os_open)
    mp.setattr(re, "_compile", spy_compile)


def _verify(path: Path, envs: Path, *extra: str, spy: bool = True) -> Run:
    out, err = io.StringIO(), io.StringIO()
    opened: list[str] = []
    patterns: list[str] = []
    with ExitStack() as stack:
        if spy:
            _spying(stack, opened, patterns)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["verify", str(path), "--json", "--env-dir", str(envs), *extra])
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return Run(rows, out.getvalue(), err.getvalue(), code, opened, patterns)


@pytest.fixture(scope="module")
def verified(hostile_file: tuple[Path, list[Probe]], sandbox_dirs: dict[str, Path]) -> Run:
    return _verify(hostile_file[0], sandbox_dirs["envs"])


def _probe_rows(run: Run) -> Iterator[dict[str, Any]]:
    return iter(run.rows[1::2])


def test_every_good_record_around_the_probes_still_passes(verified: Run,
                                                          hostile_file: tuple[Path, list[Probe]]) -> None:
    probes = hostile_file[1]
    assert len(verified.rows) == 2 * len(probes) + 1 and verified.code == 1
    assert all(row["passed"] for row in verified.rows[0::2])
    assert not any(row["passed"] for row in verified.rows[1::2])
    assert "Traceback" not in verified.out + verified.err
    assert f"verified {len(verified.rows)}/{len(verified.rows)}, passed {len(probes) + 1}" in verified.err


@pytest.mark.parametrize("number", range(17))
def test_each_probe_is_a_failed_record_with_its_message(verified: Run, hostile_file: tuple[Path, list[Probe]],
                                                        number: int) -> None:
    probe = hostile_file[1][number]
    row = list(_probe_rows(verified))[number]
    found = [f for f in row["failures"] if f["check"] == probe.check and probe.message in f["message"]]
    assert found, f"{probe.name}: {row['failures']}"
    assert MARKER not in json.dumps(row)


def test_probe_count_matches_the_parametrisation(hostile_file: tuple[Path, list[Probe]]) -> None:
    assert len(hostile_file[1]) == 17


def test_no_file_outside_the_env_dirs_is_opened_and_nothing_secret_is_printed(
        verified: Run, sandbox_dirs: dict[str, Path]) -> None:
    outside = str(sandbox_dirs["outside"])
    assert [p for p in verified.opened if p.startswith(outside) or p.endswith("evil.py")] == []
    assert MARKER not in verified.out + verified.err
    assert any(p.endswith("hostile.jsonl") for p in verified.opened)  # the spy saw the files that were read


def test_the_records_schemas_are_never_compiled(verified: Run) -> None:
    assert REDOS not in verified.patterns
    assert verified.patterns  # the env's own schemas and the checks' patterns were: the spy works


def test_the_forged_balance_would_pass_a_last_key_wins_reader() -> None:
    """Why duplicate keys are refused: json.loads reads the forged output as the real one."""
    line, content, real = _balance_twice()
    assert json.loads(content) == json.loads(real) and content != real
    parsed = parse_line("d.jsonl", 1, line)
    assert isinstance(parsed, BadLine)
    assert parsed.reason.startswith("not a valid record: messages.5.tool.content: Value error, duplicate key "
                                    '"balance"')


@pytest.mark.slow
def test_two_workers_give_the_same_outcomes(verified: Run, hostile_file: tuple[Path, list[Probe]],
                                            sandbox_dirs: dict[str, Path]) -> None:
    again = _verify(hostile_file[0], sandbox_dirs["envs"], "--workers", "2", spy=False)
    assert again.code == 1 and "Traceback" not in again.out + again.err and MARKER not in again.out + again.err
    assert [(r["id"], r["passed"], [f["check"] for f in r["failures"]]) for r in again.rows] == \
        [(r["id"], r["passed"], [f["check"] for f in r["failures"]]) for r in verified.rows]


def test_stats_and_export_report_the_probes_and_go_on(hostile_file: tuple[Path, list[Probe]],
                                                      sandbox_dirs: dict[str, Path], capsys) -> None:
    path, probes = hostile_file
    out_file = sandbox_dirs["base"] / "export.jsonl"
    assert main(["export", str(path), "--format", "openai", "-o", str(out_file)]) == 1
    exported = capsys.readouterr()
    assert len(out_file.read_text(encoding="utf-8").splitlines()) >= len(probes) + 1
    assert main(["stats", str(path), "--json"]) == 0
    stats = capsys.readouterr()
    for stream in (exported, stats):
        assert "Traceback" not in stream.out + stream.err and MARKER not in stream.out + stream.err
        assert 'duplicate key "balance"' in stream.err and f"longer than {MAX_LINE_BYTES} bytes" in stream.err


@pytest.mark.slow
def test_eval_reports_the_probes_and_scores_the_rest(hostile_file: tuple[Path, list[Probe]],
                                                     sandbox_dirs: dict[str, Path], capsys) -> None:
    path, probes = hostile_file
    assert main(["eval", str(path), "--agent", "gold", "--json", "--env-dir", str(sandbox_dirs["envs"])]) == 1
    evaluated = capsys.readouterr()
    rows = [json.loads(line) for line in evaluated.out.splitlines()]
    assert len(rows) == 2 * len(probes) + 1
    assert all(row["passed"] and row["error"] is None for row in rows[0::2])
    assert all(row["error"] for row in rows[1::2])
    errors = [row["error"] for row in rows[1::2]]
    assert "unknown env" in errors[0] and "not under the env directories" in errors[1]
    assert "is not the schema env retail derives" in errors[4] and "is not the schema" in errors[5]
    assert 'duplicate key "balance"' in errors[6]
    assert "Traceback" not in evaluated.out + evaluated.err and MARKER not in evaluated.out + evaluated.err


@pytest.mark.slow
def test_the_pytest_plugin_fails_each_probe_and_passes_the_rest(pytester: pytest.Pytester,
                                                                hostile_file: tuple[Path, list[Probe]],
                                                                sandbox_dirs: dict[str, Path]) -> None:
    path, probes = hostile_file
    target = pytester.path / "hostile.toolace.jsonl"
    target.write_bytes(path.read_bytes())
    result = pytester.runpytest("-p", "no:cacheprovider", "--toolace-env-dir", str(sandbox_dirs["envs"]))
    out = result.stdout.str()
    assert "Traceback" not in out and MARKER not in out
    # ReDoS / $ref probes replay correctly (their calls are real): a regression test only replays,
    # and the schema probes fail in verify; every other probe fails here.
    result.assert_outcomes(passed=len(probes) + 1 + 3, failed=len(probes) - 3)


@pytest.mark.slow
def test_random_mutations_of_a_record_never_raise() -> None:
    """Any value anywhere: the record is valid and verified, or invalid and reported."""
    base = _fixture("retail", 1)
    rng = random.Random(15)
    values: list[Any] = [None, [], {}, -1, 2**70, 1.5, "", "x" * 500, ["a", {"b": None}], {"function": []},
                         {"$ref": "#"}, True]

    def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        yield prefix
        if isinstance(node, dict):
            for key, child in node.items():
                yield from paths(child, (*prefix, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                yield from paths(child, (*prefix, index))

    every = [p for p in paths(base) if p]
    checked = reported = 0
    with Verifier() as verifier:
        for _ in range(80):
            data = json.loads(json.dumps(base))
            where = rng.choice(every)
            node = data
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = rng.choice(values)
            parsed = parse_line("m.jsonl", 1, _line(data))
            if isinstance(parsed, RecordLine):
                verification = verifier.verify(parsed.record)
                assert isinstance(verification.passed, bool)
                checked += 1
            else:
                assert parsed.reason
                reported += 1
    assert checked > 20 and reported > 20


def test_a_record_built_in_code_gets_the_same_strict_checks() -> None:
    data = _fixture("retail")
    _, call = _first_call(data)
    call["function"]["arguments"] = '{"email": Infinity}'
    with pytest.raises(ValueError, match="Infinity is not a JSON number"):
        Record.model_validate(data)
