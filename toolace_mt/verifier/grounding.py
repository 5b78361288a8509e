"""`grounding`: no hallucinated parameters. Every argument value of every call must
come from an earlier user message, an earlier tool output, the system prompt, or the
tool's schema (an enum value or the default). Rules for "comes from": evidence.py."""

from __future__ import annotations

import json
from typing import Any

from toolace_mt.record import AssistantMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import Evidence, Mentions, grounded_string


def _schema_allows(schema: dict[str, Any], value: Any) -> bool:
    if isinstance(schema.get("enum"), list) and value in schema["enum"]:
        return True
    if "const" in schema and schema["const"] == value:
        return True
    return "default" in schema and schema["default"] == value


def _ungrounded(value: Any, schema: dict[str, Any], path: str, evidence: Evidence) -> list[str]:
    if value is None or isinstance(value, bool) or _schema_allows(schema, value):
        return []
    if isinstance(value, dict):
        properties = _object(schema.get("properties"))
        return [miss for key, item in value.items()
                for miss in _ungrounded(item, _object(properties.get(key)), f"{path}.{key}", evidence)]
    if isinstance(value, list):
        items = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
        return [miss for i, item in enumerate(value) for miss in _ungrounded(item, items, f"{path}[{i}]", evidence)]
    if isinstance(value, int | float):
        return [] if evidence.has_number(float(value)) else [f"{path}={json.dumps(value)}"]
    return [] if grounded_string(str(value), evidence) else [f"{path}={json.dumps(value, ensure_ascii=False)}"]


def _object(value: Any) -> dict[str, Any]:
    """A schema part as an object: a record's schemas are untrusted data of any shape."""
    return value if isinstance(value, dict) else {}


def _parameters(dialogue: Dialogue, site: CallSite) -> dict[str, Any]:
    return _object(_object(_object(dialogue.tools.get(site.name)).get("function")).get("parameters"))


def check_grounding(dialogue: Dialogue, read: dict[str, Mentions] | None = None) -> list[Failure]:
    """`read`: texts already read by another check of this dialogue (see Evidence.read)."""
    failures: list[Failure] = []
    evidence = Evidence(read={} if read is None else read)
    for index, message in enumerate(dialogue.messages):
        evidence.add_message(message)
        if isinstance(message, AssistantMessage):
            for site in dialogue.calls_at(index):
                if site.arguments is None:
                    continue  # the schema check reports it
                schema = _parameters(dialogue, site)
                properties = _object(schema.get("properties"))
                missing = [miss for key, value in site.arguments.items()
                           for miss in _ungrounded(value, _object(properties.get(key)), key, evidence)]
                if missing:
                    failures.append(Failure(
                        "grounding", f"call {site.call.id} {site.name}: {', '.join(missing)} "
                                     f"{'does' if len(missing) == 1 else 'do'} not appear in any earlier user message, "
                                     "tool output, system prompt or the tool's schema", index))
    return failures
