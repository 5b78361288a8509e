"""Red team, round 2: `stats` treated a record's env as a path to any file.

verify and eval resolve a record's env through env_refs (built-in names, files under
--env-dir), but stats (tool coverage, and the trajectory findings' env policy) passed it
straight to inspect_env: a record naming /home/me/secret.py got that file read and
compiled, and the compile error quoted its names (`"_aws_secret_AKIA..." is an invalid
variable name`). stats now resolves references the same way (built-in envs, files under
its --env-dir): a file elsewhere is never read, and the record's figures go on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolace_mt.env_refs import EnvRefs
from toolace_mt.record import Record
from toolace_mt.stats import env_tool_names
from toolace_mt.verifier.trajectory import PolicyCache

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "fixtures" / "dialogues" / "retail.jsonl").read_text().splitlines()[0]
SECRET = "_aws_secret_AKIA1234"


@pytest.fixture
def secrets(tmp_path: Path) -> dict[str, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    files = {"py": outside / "secret.py", "txt": outside / "secret.txt"}
    files["py"].write_text(f"{SECRET} = 1\n")
    files["txt"].write_text(f"{SECRET}\n")
    return files


def _record(env: str, index: int) -> dict:
    record = json.loads(GOOD)
    record.update(env=env, id=f"leak-{index}")
    return record


@pytest.mark.parametrize("kind", ["py", "txt"])
def test_env_tool_names_never_reads_a_file_outside_the_env_dirs(
        secrets: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.chdir(tmp_path)
    tools, why = env_tool_names(str(secrets[kind]))
    assert tools is None and why is not None and SECRET not in why
    assert "--env-dir" in why or "unknown env" in why
    assert env_tool_names("retail")[0] is not None  # built-in envs still load


def test_the_policy_cache_never_reads_a_file_outside_the_env_dirs(
        secrets: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cache = PolicyCache()
    for index, path in enumerate(secrets.values()):
        cache.of(Record.model_validate(_record(str(path), index)))
    assert set(cache.why) == {str(p) for p in secrets.values()}
    assert all(SECRET not in why for why in cache.why.values())


def test_an_env_file_under_the_env_dir_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "ticket.py").write_text((ROOT / "fixtures" / "envs" / "ticket.py").read_text())
    monkeypatch.chdir(tmp_path)
    assert env_tool_names("ticket.py")[0] is None  # no --env-dir: not even the current directory
    tools, why = env_tool_names("ticket.py", EnvRefs(dirs=(envs,)))
    assert why is None and tools


@pytest.mark.slow
def test_stats_quotes_no_line_of_a_file_a_record_names(secrets: dict[str, Path], tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(_record(str(p), i)) + "\n" for i, p in enumerate(secrets.values()))
                       + GOOD + "\n")
    done = subprocess.run([sys.executable, "-m", "toolace_mt", "stats", str(records), "--html",
                           str(tmp_path / "report.html")], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert SECRET not in (tmp_path / "report.html").read_text()
    assert "dialogues" in done.stdout


XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'</textarea><!--'


def test_the_html_report_shows_record_text_and_runs_none_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolace_mt.html_report import write_report
    from toolace_mt.stats import compute_stats

    records = tmp_path / "records.jsonl"
    lines = []
    for index in range(2):
        record = _record(XSS + ".py", index)
        record["id"] = XSS + str(index)
        for message in record["messages"]:
            if message["role"] in ("user", "assistant") and isinstance(message.get("content"), str):
                message["content"] = XSS + message["content"]
            for call in message.get("tool_calls") or []:
                call["function"]["name"] = XSS
        record["verification"] = {"passed": False, "checks": [XSS],
                                  "failures": [{"check": XSS, "message": XSS, "message_index": 1}]}
        lines.append(json.dumps(record))
    records.write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    stats = compute_stats([records], env_tools=lambda env: (None, XSS))
    page_path = tmp_path / "report.html"
    assert write_report(page_path, stats, [records])
    page = page_path.read_text()
    assert "<script" not in page.lower()  # the page has no script of its own either
    assert "<img" not in page and "onerror=alert(2)>" not in page and "<!--" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
