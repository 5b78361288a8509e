"""A read that only shows its input back (BFCL's display_log): an action the user asks
for with their own words, planned as a target and accepted by `necessity`; the same call
with lines the user never said shows nothing anyone asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.env_refs import EnvRefs
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.naig import generate_naig
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.record import Record
from toolace_mt.verifier import TRAJECTORY_CHECK_IDS, EnvPool, Verifier

SIGNBOARD = '''"""A car's dashboard log, where the driver has lines shown."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = "CREATE TABLE notes (note_id VARCHAR PRIMARY KEY, text VARCHAR NOT NULL);"


def seed(db: Db, fake: Fake) -> None:
    db.insert("notes", [{"note_id": "N1", "text": "Check the tyre pressure"}])


@tool
def display_log(db: Db, messages: list[str]) -> dict:
    """Displays the log messages.

    Args:
        messages: The list of messages to display.
    """
    if not messages:
        raise ToolError("give at least one message")
    return {"log": messages}
'''


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = tmp_path_factory.mktemp("signboard")
    (made / "signboard.py").write_text(SIGNBOARD)
    return made


@pytest.fixture(scope="module")
def record(folder: Path) -> Record:
    bench = Workbench(str(folder / "signboard.py"), 3)
    bench.env_ref = "signboard.py"  # as a run names it (README "Portable env references")
    try:
        attempt = generate_naig(bench, OfflineBackend(), Settings(subtasks=(1, 1), injections=(0, 0)), "3:0",
                                "signboard-0", 0)
    finally:
        bench.close()
    assert attempt.record is not None, attempt.reason
    return attempt.record


def _display_calls(record: Record) -> list[list[str]]:
    data = json.loads(record.to_json())
    return [json.loads(c["function"]["arguments"])["messages"] for m in data["messages"]
            for c in m.get("tool_calls") or [] if c["function"]["name"] == "display_log"]


def _necessity(record: Record, folder: Path) -> list[str]:
    with Verifier(checks=TRAJECTORY_CHECK_IDS, pool=EnvPool(max_envs=1, refs=EnvRefs(dirs=(folder,)))) as verifier:
        failures = verifier.failures(record)
    assert not [f for f in failures if f.check == "replay"], failures  # judged on the env, not skipped
    return [f.message for f in failures if f.check == "necessity"]


def test_the_user_asks_for_their_lines_to_be_shown(record: Record, folder: Path) -> None:
    shown = _display_calls(record)
    assert shown, "display_log was not planned"
    said = " ".join(m.content or "" for m in record.messages if m.role == "user")
    assert all(line in said for lines in shown for line in lines)
    assert _necessity(record, folder) == []


def test_lines_the_user_never_said_are_shown_for_nobody(record: Record, folder: Path) -> None:
    lines = [line for lines in _display_calls(record) for line in lines]
    messages = [m.model_copy(update={"content": "Please display the log messages."}) if m.role == "user"
                and any(line in (m.content or "") for line in lines) else
                m.model_copy(update={"content": "Done."}) if m.role == "assistant"
                and any(line in (m.content or "") for line in lines) else m for m in record.messages]
    edited = record.model_copy(update={"messages": messages})
    assert any("display_log" in message for message in _necessity(edited, folder))
