"""`envs compile --backend openai`: a model rewrites the bodies the rules are not sure of,
each checked by the same probes and re-asked with the failures (fake server on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer

from toolace_mt.cli import main
from toolace_mt.compiler.model_author import usable_body

SPEC = {"tools": [
    {"type": "function", "function": {"name": "get_ticket", "description": "Get a ticket by its id.", "parameters": {
        "type": "object", "properties": {"ticket_id": {"type": "integer", "description": "The ticket's id."}},
        "required": ["ticket_id"]}}},
    {"type": "function", "function": {"name": "summarize_texts", "description": "Summarize some texts in one line.",
                                      "parameters": {"type": "object", "properties": {
                                          "texts": {"type": "array", "items": {"type": "string"},
                                                    "description": "The texts."}}, "required": ["texts"]}}},
]}
GOOD_BODY = """if not texts:
    raise ToolError("give at least one text to summarize")
words = " ".join(texts).split()
return {"summary": " ".join(words[:12]), "texts": len(texts)}"""


def _context(body: dict[str, Any]) -> dict[str, Any]:
    return json.loads(body["messages"][1]["content"])


@pytest.mark.slow
def test_a_low_confidence_body_is_rewritten_until_it_passes(tmp_path: Path, capsys) -> None:
    answers = ["return (", GOOD_BODY]

    def model(body: dict[str, Any]) -> dict[str, Any]:
        assert _context(body)["tool"] == "summarize_texts"  # only the tool the rules were unsure of
        return {"content": json.dumps({"body": answers.pop(0)})}

    spec, out = tmp_path / "tools.json", tmp_path / "env.py"
    spec.write_text(json.dumps(SPEC))
    with FakeOpenAIServer(model) as server:
        code = main(["envs", "compile", str(spec), "-o", str(out), "--json", "--backend", "openai", "--model",
                     "fake-model", "--base-url", server.base_url, "--no-cache"])
        requests = server.requests
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["valid"] and answers == []
    tools = {t["tool"]: t for t in report["tools"]}
    assert tools["summarize_texts"]["written_by"] == "model" and tools["get_ticket"]["written_by"] == "rules"
    assert tools["summarize_texts"]["domain_error"]["detail"] == "give at least one text to summarize"
    assert len(requests) == 2
    retry = requests[1]["messages"]
    assert retry[-2]["content"] == json.dumps({"body": "return ("})
    assert "the body does not parse" in retry[-1]["content"]
    assert 'raise ToolError("give at least one text to summarize")' in out.read_text()


@pytest.mark.slow
def test_a_body_that_never_passes_leaves_the_rules_body(tmp_path: Path, capsys) -> None:
    crashing = 'return db.query("SELECT * FROM no_such_table")'

    def model(body: dict[str, Any]) -> dict[str, Any]:
        return {"content": json.dumps({"body": crashing})}

    spec, out = tmp_path / "tools.json", tmp_path / "env.py"
    spec.write_text(json.dumps(SPEC))
    with FakeOpenAIServer(model) as server:
        code = main(["envs", "compile", str(spec), "-o", str(out), "--json", "--backend", "openai", "--model",
                     "fake-model", "--base-url", server.base_url, "--no-cache", "--rounds", "2"])
        assert len(server.requests) == 2
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["valid"]  # the rules' body stays, and it validates
    assert {t["tool"]: t["written_by"] for t in report["tools"]}["summarize_texts"] == "rules"
    assert "no_such_table" not in out.read_text()


@pytest.mark.parametrize(("body", "why"), [
    ("", "the body is empty"),
    ("return (", "the body does not parse"),
    ("import os\nreturn 1", "imports are not allowed"),
    ("x" * 9000, "at most 8000"),
])
def test_unusable_model_bodies_are_refused_without_running_them(body: str, why: str) -> None:
    usable, reason = usable_body(body)
    assert usable is None and why in reason


def test_a_usable_body_is_dedented() -> None:
    assert usable_body("    x = 1\n    return x\n") == ("x = 1\nreturn x", "")


def test_the_openai_backend_needs_a_model(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("TOOLACE_MODEL", raising=False)
    spec = tmp_path / "tools.json"
    spec.write_text(json.dumps(SPEC))
    assert main(["envs", "compile", str(spec), "-o", str(tmp_path / "env.py"), "--backend", "openai"]) == 2
    assert "needs a model" in capsys.readouterr().err and not (tmp_path / "env.py").exists()


def _seed_setup(tmp_path: Path) -> tuple[Any, list[str], str, Any, Any, str]:
    """A plan whose seed inserts nothing (the probes cannot succeed), its validation, and
    the rules' own seed body (what a good answer looks like)."""
    import textwrap

    from toolace_mt.compiler.classify import classify
    from toolace_mt.compiler.compile import read_specs, validate
    from toolace_mt.compiler.render import render, seed_lines

    spec = tmp_path / "tools.json"
    spec.write_text(json.dumps(SPEC))
    plan = classify(read_specs([spec]))
    good = textwrap.dedent("\n".join(seed_lines(plan)[1:])).strip("\n")
    plan.seed_body = "db.rng.random()"  # an empty state: get_ticket finds no ticket
    sources = ["tools.json"]
    source = render(plan, sources)
    before = validate(source, plan, "env", "env.py")
    assert not before.valid

    def revalidate(text: str) -> Any:
        return validate(text, plan, "env", "env.py")

    return plan, sources, source, before, revalidate, good


@pytest.mark.slow
def test_the_model_writes_the_seed_until_the_probes_pass(tmp_path: Path) -> None:
    from toolace_mt.compiler.model_author import ModelAuthor, improve_seed
    from toolace_mt.llm import ModelSettings

    plan, sources, source, before, revalidate, good = _seed_setup(tmp_path)
    answers = ["db.insert(", 'db.insert("no_such_table", [{"x": 1}])', good]

    def model(body: dict[str, Any]) -> dict[str, Any]:
        return {"content": json.dumps({"body": answers.pop(0)})}

    said: list[str] = []
    with FakeOpenAIServer(model) as server:
        author = ModelAuthor(ModelSettings(model="fake-model", base_url=server.base_url, cache_path=None), rounds=3)
        try:
            written, after = improve_seed(author, plan, sources, source, before, revalidate, said.append)
        finally:
            author.close()
        requests = server.requests
    assert answers == [] and after.valid and plan.seed_body == good
    assert written != source and good.split("\n")[0] in written
    first = json.loads(requests[0]["messages"][1]["content"])
    assert "get_ticket: no successful call" in " ".join(first["failures"])  # the probes' failures are sent
    assert "def seed(db: Db, fake: Fake)" in first["current_seed"]
    assert "the body does not parse" in requests[1]["messages"][-1]["content"]  # re-asked with why
    assert "no_such_table" in requests[2]["messages"][-1]["content"]
    assert said[-1].startswith("model: the seed passes more probes (all)")


@pytest.mark.slow
def test_a_seed_that_never_passes_is_not_kept(tmp_path: Path) -> None:
    from toolace_mt.compiler.model_author import ModelAuthor, improve_seed
    from toolace_mt.llm import ModelSettings

    plan, sources, source, before, revalidate, _ = _seed_setup(tmp_path)

    def model(body: dict[str, Any]) -> dict[str, Any]:
        return {"content": json.dumps({"body": "import os"})}

    with FakeOpenAIServer(model) as server:
        author = ModelAuthor(ModelSettings(model="fake-model", base_url=server.base_url, cache_path=None), rounds=2)
        try:
            written, after = improve_seed(author, plan, sources, source, before, revalidate, lambda m: None)
        finally:
            author.close()
        assert len(server.requests) == 2
        assert "imports are not allowed" in server.requests[1]["messages"][-1]["content"]
    assert written == source and after is before and plan.seed_body == "db.rng.random()"  # as it was
