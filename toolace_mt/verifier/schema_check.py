"""`schema`: every call names a listed tool and its arguments fit the tool's JSON schema;
the listed tools are exactly the env's derived ones (a subset is allowed: a tool may be
withheld on purpose).

The record's schemas are untrusted data: they are compared with the env's, never run.
Arguments are validated against the env's own derived schema only, so a record's
`pattern` (ReDoS) or `{"$ref": "#"}` never reaches jsonschema."""

from __future__ import annotations

import json

import jsonschema

from sandbox import Environment
from toolace_mt.verifier.dialogue import Dialogue, Failure, listed_tool_name
from toolace_mt.verifier.state_compare import shorten


def check_schema(dialogue: Dialogue, env: Environment) -> list[Failure]:
    failures: list[Failure] = []
    env_tools = {t.name: t.openai() for t in env.tools}
    for position, listed in enumerate(dialogue.record.tools):
        name = listed_tool_name(listed)
        if name is None or name not in env_tools:
            shown = "with no name" if name is None else f"'{shorten(name, 80)}'"
            failures.append(Failure("schema", f"tools[{position}] {shown} is not a tool of env {env.name}", None))
        elif listed != env_tools[name]:
            failures.append(Failure("schema", f"tools[{position}] '{name}' differs from the schema env {env.name} "
                                              "derives for it (re-export the record's tools)", None))
    validators: dict[str, jsonschema.protocols.Validator] = {}
    for site in dialogue.calls:
        if site.name not in dialogue.tools:
            where = "" if site.name in env_tools else f" (nor in env {env.name})"
            failures.append(Failure("schema", f"call {site.call.id} uses '{site.name}', which is not in the "
                                              f"record's tools{where}", site.message_index))
            continue
        if site.arguments is None:
            failures.append(Failure("schema", f"call {site.call.id} {site.name}: arguments are not a JSON object: "
                                              f"{site.call.function.arguments[:80]!r}", site.message_index))
            continue
        if site.name not in env_tools:
            failures.append(Failure("schema", f"call {site.call.id} uses '{site.name}', which is not a tool of env "
                                              f"{env.name}", site.message_index))
            continue
        if site.name not in validators:
            validators[site.name] = jsonschema.Draft202012Validator(env_tools[site.name]["function"]["parameters"])
        error = jsonschema.exceptions.best_match(validators[site.name].iter_errors(site.arguments))
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path) or "arguments"
            failures.append(Failure("schema", f"call {site.call.id} {site.name}: {where}: {error.message} "
                                              f"(arguments {json.dumps(site.arguments)[:120]})", site.message_index))
    return failures
