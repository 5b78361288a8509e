"""`--backend openai`: a model rewrites the tool bodies the rules could not write with
confidence, or that fail their probes, until they pass the same probes.

The model's text is untrusted: it is only ever placed into the env module's source, which
the sandbox compiles with RestrictedPython and runs in its worker; here it is parsed with
`ast` (never executed) to refuse what is not a function body.
"""

from __future__ import annotations

import ast
import json
import textwrap
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from toolace_mt.compiler.bodies import Bodies
from toolace_mt.compiler.plan import EnvPlan, ToolPlan
from toolace_mt.compiler.render import ddl, render, signature
from toolace_mt.llm import ModelError, ModelSettings
from toolace_mt.llm.client import ChatClient
from toolace_mt.llm.structured import first_json_object

MAX_BODY_CHARS = 8000

SYSTEM = """You write the body of one tool of a mock environment module (Python run by RestrictedPython
over DuckDB tables). Answer with one JSON object: {"body": "<the function body>"}.

Rules for the body:
- Only the statements inside the function, no `def` line, no decorator; 4-space indentation inside blocks.
- `db.query(sql, params) -> list[dict]`, `db.one(...) -> dict | None`, `db.scalar(...)`, `db.execute(...) -> int`,
  `db.insert(table, rows)`; one SQL statement per call, values as `?` parameters. `db.now`, `db.today` are the clock.
- Fail with `raise ToolError("message")` for domain errors (not found, not allowed, insufficient...): a tool needs
  at least one successful call on the seeded tables and at least one domain error for bad arguments.
- Return JSON data shaped like the tool's output schema. A write must change a table that a read tool shows.
- Names starting with "_" are forbidden; no imports; `json`, `datetime` and the module's helpers are available.
"""


SEED_SYSTEM = """You write the body of `seed(db, fake)` of a mock environment module (Python run by RestrictedPython
over DuckDB tables): the initial state every dialogue starts from. Answer with one JSON object:
{"body": "<the function body>"}.

Rules for the body:
- Only the statements inside the function, no `def` line; 4-space indentation inside blocks.
- Fill every table with `db.insert(table, rows)` (rows: a list of dicts, column -> value; JSON columns as
  json.dumps text). `fake` is Faker (fake.name(), fake.email(), ...), `db.rng` a seeded random.Random,
  `db.today`/`db.now` the clock. Deterministic: no other randomness.
- The state must let every tool succeed at least once and fail with a domain error for bad arguments; rows
  other rows refer to must exist; keep the session row with `'logged_in': START_LOGGED_IN` if there is one.
- Names starting with "_" are forbidden; no imports; `json`, `datetime` and the module's helpers are available.
"""


class BodyAnswer(BaseModel):
    body: str


class ModelAuthor:
    def __init__(self, settings: ModelSettings | object, rounds: int = 3) -> None:
        if not isinstance(settings, ModelSettings):
            raise ModelError("the model backend needs model settings")
        self.client = ChatClient(settings)
        self.rounds = rounds

    def close(self) -> None:
        self.client.close()

    def write_body(self, context: dict[str, Any], history: list[dict[str, Any]]) -> tuple[str | None, str]:
        """(body, "") or (None, why it is unusable)."""
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": json.dumps(context, ensure_ascii=False, default=str)}, *history]
        answer = self.client.complete(messages, stage="plan",
                                      response_format={"type": "json_schema", "json_schema": {
                                          "name": "BodyAnswer", "schema": BodyAnswer.model_json_schema()}})
        text = answer.message.get("content") or ""
        history.append({"role": "assistant", "content": text})
        try:
            body = BodyAnswer.model_validate(first_json_object(text)).body
        except (ValueError, ValidationError) as exc:
            return None, f"the answer is not a JSON object with a string 'body': {str(exc)[:300]}"
        return usable_body(body)


def write_seed_answer(author: ModelAuthor, context: dict[str, Any],
                      history: list[dict[str, Any]]) -> tuple[str | None, str]:
    """(seed body, "") or (None, why it is unusable): the same checks as a tool body."""
    messages = [{"role": "system", "content": SEED_SYSTEM},
                {"role": "user", "content": json.dumps(context, ensure_ascii=False, default=str)}, *history]
    answer = author.client.complete(messages, stage="plan", response_format={"type": "json_schema", "json_schema": {
        "name": "BodyAnswer", "schema": BodyAnswer.model_json_schema()}})
    text = answer.message.get("content") or ""
    history.append({"role": "assistant", "content": text})
    try:
        body = BodyAnswer.model_validate(first_json_object(text)).body
    except (ValueError, ValidationError) as exc:
        return None, f"the answer is not a JSON object with a string 'body': {str(exc)[:300]}"
    return usable_body(body)


def _problems(validation: Any) -> list[str]:
    return [*validation.check_problems, *(f"{p.tool}: {problem}" for p in validation.probes
                                          for problem in p.problems())]


def improve_seed(author: ModelAuthor, plan: EnvPlan, sources: list[str], source: str, validation: Any,
                 revalidate: Callable[[str], Any], say: Callable[[str], None]) -> tuple[str, Any]:
    """Ask for a seed() body while the module does not validate; keep one only when the
    same probes find fewer problems with it (and `envs check` none), else the rules' seed."""
    from toolace_mt.compiler.render import seed_lines

    failures = _problems(validation) or ["the module does not load"]
    context = {"tables": [ddl(t) for t in plan.tables.values()],
               "session_table": plan.session, "users_table": plan.users,
               "tools": [{"name": t.ident, "kind": t.kind, "table": t.table, "writes": t.writes,
                          "needs_login": t.needs_login,
                          "parameters": {p.ident: {"type": p.spec.type, "description": p.spec.description}
                                         for p in t.params}} for t in plan.tools],
               "current_seed": "\n".join(seed_lines(plan)), "failures": failures[:20]}
    history: list[dict[str, Any]] = []
    original = plan.seed_body
    for attempt in range(1, author.rounds + 1):
        say(f"model: seed (attempt {attempt}/{author.rounds})")
        if history:
            history.append({"role": "user", "content": "That seed failed: " + "; ".join(failures)[:2000]})
        body, why = write_seed_answer(author, context, history)
        if body is None:
            failures = [why]
            continue
        plan.seed_body = body
        candidate = render(plan, sources)
        result = revalidate(candidate)
        if result.probes and not result.check_problems and _count(result) < _count(validation):
            say("model: the seed passes more probes" + (" (all)" if result.valid else ""))
            return candidate, result
        failures = _problems(result) or ["the module did not load with this seed"]
        if result.probes and _count(result) >= _count(validation):
            failures.insert(0, f"{_count(result)} problems, not fewer than the {_count(validation)} before")
    plan.seed_body = original
    say("model: kept the rules' seed (no answer passed)")
    return source, validation


def usable_body(body: str) -> tuple[str | None, str]:
    """The body dedented, if it parses as the statements of a function; else why not."""
    body = textwrap.dedent(body.replace("\t", "    ")).strip("\n")
    if not body.strip():
        return None, "the body is empty"
    if len(body) > MAX_BODY_CHARS:
        return None, f"the body is {len(body)} characters; at most {MAX_BODY_CHARS}"
    try:
        tree = ast.parse("def tool_body():\n" + textwrap.indent(body, "    "))
    except SyntaxError as exc:
        return None, f"the body does not parse: {exc.msg} (line {(exc.lineno or 2) - 1})"
    function = tree.body[0]
    if len(tree.body) != 1 or not isinstance(function, ast.FunctionDef):
        return None, "the body must be statements of one function"
    for node in ast.walk(function):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return None, "imports are not allowed in a body"
    return body, ""


def _context(plan: EnvPlan, tool: ToolPlan, current: list[str], failures: list[str]) -> dict[str, Any]:
    spec = tool.spec
    return {
        "tool": spec.name, "signature": f"def {tool.ident}({signature(tool)}) -> Any",
        "description": spec.description,
        "parameters": {p.ident: {"type": p.spec.type, "description": p.spec.description, "required": p.spec.required,
                                 "enum": p.spec.enum} for p in tool.params},
        "output": _schema(spec.output), "writes": tool.writes,
        "tables": [ddl(t) for t in plan.tables.values()],
        "helpers": sorted({"current_user(db)" if plan.session else "", "decoded(row, columns)",
                           *[f"load_{t.entity}(db, {t.key})" for t in plan.tables.values()
                             if not t.singleton and not t.lookup and t.name != plan.session],
                           *[f"current_{t.entity}(db)" for t in plan.tables.values() if t.singleton
                             and t.name != plan.session]} - {""}),
        "other_tools": [{"name": p.ident, "kind": p.kind, "writes": p.writes} for p in plan.tools if p is not tool],
        "current_body": "\n".join(current), "failures": failures,
    }


def _schema(field: Any, depth: int = 0) -> Any:
    if field is None or depth > 3:
        return None
    out: dict[str, Any] = {"type": field.type}
    if field.properties:
        out["properties"] = {p.name: _schema(p, depth + 1) for p in field.properties[:20]}
    if field.items is not None:
        out["items"] = _schema(field.items, depth + 1)
    return out


def _count(validation: Any) -> int:
    return len(validation.check_problems) + sum(len(p.problems()) for p in validation.probes)


def improve(author: ModelAuthor, plan: EnvPlan, sources: list[str], source: str, validation: Any,
            revalidate: Callable[[str], Any], say: Callable[[str], None]) -> tuple[str, Any, set[str]]:
    """Ask for each weak tool's body until the probes pass; keep only bodies that do."""
    by_model: set[str] = set()
    failing = {p.tool: p.problems() for p in validation.probes}
    targets = [t for t in plan.tools if failing.get(t.ident) or not t.confident]
    for tool in targets:
        failures = failing.get(tool.ident) or [f"written by rules with low confidence: {'; '.join(tool.notes)}"]
        current = Bodies(plan).body(tool)
        history: list[dict[str, Any]] = []
        accepted = False
        for attempt in range(1, author.rounds + 1):
            say(f"model: {tool.ident} (attempt {attempt}/{author.rounds})")
            context = _context(plan, tool, current, failures)
            if history:
                history.append({"role": "user", "content": "That body failed: " + "; ".join(failures)[:2000]})
            body, why = author.write_body(context if not history else {"tool": tool.ident, "failures": failures},
                                          history)
            if body is None:
                failures = [why]
                continue
            tool.body = body
            candidate = render(plan, sources)
            result = revalidate(candidate)
            mine = next((p for p in result.probes if p.tool == tool.ident), None)
            if mine is not None and not mine.problems() and not result.check_problems \
                    and _count(result) <= _count(validation):
                source, validation, accepted = candidate, result, True
                by_model.add(tool.ident)
                say(f"model: {tool.ident} passes its probes")
                break
            failures = [*result.check_problems[:5], *(mine.problems() if mine else ["the module did not load"])]
            failures = failures or ["another tool's probes got worse with this body"]
            current = body.split("\n")
        if not accepted:
            tool.body = None
            say(f"model: {tool.ident} kept the rules' body (no answer passed)")
    return source, validation, by_model
