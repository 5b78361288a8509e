"""Generation on the hand ports of two BFCL APIs it was never tuned for (fixtures/envs),
and the report of tools never called successfully."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolace_mt.cli import main
from toolace_mt.generation.plan.reachability import successful_calls

ENVS = Path(__file__).resolve().parent.parent / "fixtures" / "envs"
PORTS = {"ticket": ENVS / "ticket.py", "message": ENVS / "message.py"}
GATED = {"ticket": {"create_ticket", "close_ticket", "resolve_ticket", "edit_ticket", "get_user_tickets"},
         "message": {"send_message", "delete_message", "add_contact", "search_messages", "view_messages_sent",
                     "get_message_stats"}}

VAULT = '''"""A vault of boxes; each opens with a combination nobody has written down."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = "CREATE TABLE boxes (box_id VARCHAR PRIMARY KEY, label VARCHAR NOT NULL);"


def seed(db: Db, fake: Fake) -> None:
    db.insert("boxes", [{"box_id": "B%d" % i, "label": fake.word()} for i in range(1, 6)])


@tool
def get_box(db: Db, box_id: str) -> dict:
    """Look up a box.

    Args:
        box_id: The box, like B1.
    """
    box = db.one("SELECT * FROM boxes WHERE box_id = ?", [box_id])
    if box is None:
        raise ToolError(f"box {box_id} not found")
    return box


@tool(writes=True)
def open_box(db: Db, box_id: str, combination: str) -> dict:
    """Open a box with its combination.

    Args:
        box_id: The box to open.
        combination: The box's combination.
    """
    raise ToolError("the combination is wrong")
'''


def _generate(env: Path, out: Path, n: int, capsys) -> tuple[dict, list[dict]]:
    assert main(["generate", "--env", str(env), "-n", str(n), "--seed", "1", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    return report, [json.loads(line) for line in out.read_text().splitlines()]


def _tool_name_fragments(tools: list[str]) -> list[re.Pattern[str]]:
    """How a request worded from a tool name reads: a noun used as the verb ("ticket my
    login": `ticket` ends another tool's name), "my get login", or a long name said whole
    ("ticket get login status")."""
    nouns = {name.split("_")[-1] for name in tools}
    patterns = [re.compile(r"\b(?:my|the)\s+get\b", re.I)]
    for name in tools:
        words = name.split("_")
        if words[0] in nouns:
            patterns.append(re.compile(rf"\b{words[0]}\s+(?:my|the)\b", re.I))
        if len(words) > 2:
            patterns.append(re.compile(r"\b" + r"\s+".join(words) + r"\b", re.I))
    return patterns


def _check_language(records: list[dict]) -> None:
    tools = sorted({t["function"]["name"] for r in records for t in r["tools"]})
    fragments = _tool_name_fragments(tools)
    for record in records:
        secrets = {json.loads(c["function"]["arguments"]).get("password") for m in record["messages"]
                   for c in m.get("tool_calls") or []} - {None}
        for message in record["messages"]:
            text = message.get("content") or ""
            if message["role"] == "user":
                assert not [p.pattern for p in fragments if p.search(text)], text
                assert "_" not in re.sub(r"\S+@\S+", "", text), text  # no raw identifier like ticket_login
            if message["role"] == "assistant":
                assert not [s for s in secrets if s.lower() in text.lower()], text


def test_the_fragment_check_catches_requests_worded_from_names() -> None:
    fragments = _tool_name_fragments(["ticket_login", "ticket_get_login_status", "create_ticket"])
    assert any(p.search("Would you please ticket my login?") for p in fragments)
    assert any(p.search("I'm writing to ticket the status for my get login") for p in fragments)
    assert not any(p.search("Could you log me in to the ticket system?") for p in fragments)


@pytest.mark.parametrize("port", sorted(PORTS))
def test_ports_generate_with_login_first_and_words_from_descriptions(port: str, tmp_path: Path, capsys) -> None:
    report, records = _generate(PORTS[port], tmp_path / f"{port}.jsonl", 5, capsys)
    assert report["accepted"] == 5 and len(records) == 5
    assert report["coverage"][0]["env"] == str(PORTS[port])
    called = set().union(*(successful_calls(r) for r in records))
    assert called & GATED[port]  # tools behind the login are used
    login = "ticket_login" if port == "ticket" else "message_login"
    for record in records:  # a gated call is always preceded by a successful login in its dialogue
        names = [c["function"]["name"] for m in record["messages"] for c in m.get("tool_calls") or []]
        gated = [i for i, n in enumerate(names) if n in GATED[port]]
        if gated:
            assert login in names[:gated[0]]
    _check_language(records)


def test_generate_and_envs_check_report_unreachable_tools(tmp_path: Path, capsys) -> None:
    vault = tmp_path / "vault.py"
    vault.write_text(VAULT)
    assert main(["envs", "check", str(vault)]) == 0
    out = capsys.readouterr()
    assert "tools called successfully in trials: 1/2" in out.out
    assert "open_box: never called successfully: ToolError: the combination is wrong" in out.out
    assert "1 tool(s) never called successfully" in out.err
    # the attempts a wasted tool leaves (open_box always fails) and the gate's drops ("Oh, the box ID? That's B0.")
    assert main(["generate", "--env", str(vault), "-n", "2", "--seed", "1", "--max-attempts", "12",
                 "-o", str(tmp_path / "v.jsonl")]) == 0
    out = capsys.readouterr()
    assert f"tool coverage {vault}: 1/2" in out.out
    assert "coverage 50%" in out.err and "open_box: ToolError: the combination is wrong" in out.err


@pytest.mark.slow
@pytest.mark.parametrize("port", sorted(PORTS))
def test_ports_at_100_dialogues(port: str, tmp_path: Path, capsys) -> None:
    """The trial of issue 17 on our ports: every tool reached, pass rate >= 90%."""
    report, records = _generate(PORTS[port], tmp_path / f"{port}.jsonl", 100, capsys)
    assert report["coverage"][0]["coverage"] == 1.0, report["coverage"]
    assert report["pass_rate"] >= 0.9
    called = set().union(*(successful_calls(r) for r in records))
    assert GATED[port] <= called
    _check_language(records)


@pytest.mark.slow
def test_readme_porting_commands_run(tmp_path: Path, monkeypatch, capsys) -> None:
    readme = (ENVS.parent.parent / "README.md").read_text()
    section = readme[readme.index("## Porting an existing tool API"):readme.index("## Python API")]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[0]
    check, generate = (line.split()[1:] for line in block.strip().splitlines())
    monkeypatch.chdir(ENVS.parent.parent)
    assert main(check) == 0
    assert "create_ticket: called successfully (after ticket_login)" in capsys.readouterr().out
    out = tmp_path / "tickets.jsonl"
    assert main([*generate[:-1], str(out)]) == 0
    assert "accepted 20/20" in capsys.readouterr().out


def test_a_long_integer_in_an_output_grounds_it_said_as_an_id() -> None:
    """BFCL's binding_card is a 16-digit integer; said in a reply it reads as an id."""
    from toolace_mt.verifier.evidence import Evidence, mentions

    seen = Evidence()
    seen.add_output({"account_id": 10003, "binding_card": 2226068199581698})
    said = mentions("Your binding card is 2226068199581698.")
    assert said.ids and all(seen.has_id(token) for token in said.ids)
    assert not seen.has_id("2226068199581699") and "10003" not in seen.ids  # 5 digits stay a number


FRESH = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "pharmacy_refills.py"


@pytest.mark.slow
def test_a_fresh_env_never_tuned_on_reaches_every_tool_for_one_patient(tmp_path: Path, capsys) -> None:
    """The FHIR pharmacy port (written after the generator's rules): every tool reached (a
    search by name and date of birth, a move of a fill to another pharmacy), pass rate
    >= 90%, and each dialogue acts for one patient only."""
    report, records = _generate(FRESH, tmp_path / "pharmacy.jsonl", 60, capsys)
    assert report["coverage"][0]["coverage"] == 1.0, report["coverage"]
    assert report["pass_rate"] >= 0.9
    for record in records:
        calls = {c["id"]: json.loads(c["function"]["arguments"]) for m in record["messages"]
                 for c in m.get("tool_calls") or []}
        patients = {calls[m["tool_call_id"]].get("patient_id") for m in record["messages"]
                    if m["role"] == "tool" and not m["content"].startswith('{"error"')} - {None}
        assert len(patients) <= 1, (record["id"], patients)
    _check_language(records)


def test_a_confirmed_write_on_an_integer_id_is_confirmed_naming_it(tmp_path: Path, capsys) -> None:
    """close_ticket is confirm=True and its ticket_id an integer: the "shall I ...?" names it."""
    _, records = _generate(PORTS["ticket"], tmp_path / "ticket.jsonl", 10, capsys)
    closes = 0
    for record in records:
        messages = record["messages"]
        for i, message in enumerate(messages):
            for call in message.get("tool_calls") or []:
                if call["function"]["name"] == "close_ticket":
                    ticket = json.loads(call["function"]["arguments"])["ticket_id"]
                    asked = next(m["content"] for m in reversed(messages[:i]) if m["role"] == "assistant"
                                 and not m.get("tool_calls"))
                    assert str(ticket) in asked and "?" in asked, asked
                    closes += 1
    assert closes >= 1
