"""`replay` and `state`: re-execute every call from the recorded initial state and check
the outputs, the final state and the diff the task intended."""

from __future__ import annotations

import json

from sandbox import CallResult, Environment
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.state_compare import describe_diff_mismatch, same_json, shorten

MAX_OUTPUT_FAILURES = 5


def replay_start(dialogue: Dialogue, env: Environment) -> list[CallResult] | None:
    """Ready `env` for check_replay: the outcomes of the dialogue's calls when this env just
    made these very calls (the generator's gate) and so remembers them; otherwise None,
    with `env` reset to its initial state to run them."""
    sites = [site for site in dialogue.calls if site.arguments is not None]
    remembered = env.remembered_run([(site.name, site.arguments) for site in sites])
    if remembered is None:
        env.reset()
    return remembered


def check_replay(dialogue: Dialogue, env: Environment, remembered: list[CallResult] | None) -> list[Failure]:
    """Runs every call on `env` (after replay_start), in order, or takes its outcome from
    `remembered`; leaves `env` in the dialogue's final state for check_state."""
    failures: list[Failure] = []
    outcomes = iter(remembered or [])
    for site in dialogue.calls:
        if site.arguments is None:
            failures.append(Failure("replay", f"call {site.call.id} {site.name} cannot be executed: its arguments "
                                              "are not a JSON object", site.message_index))
            continue
        result = next(outcomes) if remembered is not None else env.call(site.name, site.arguments)
        real = result.content()
        if site.output_text is None:
            continue  # unanswered: a format failure; the call still ran, as a model would have made it
        if not same_json(site.output, json.loads(real)):
            if len(failures) < MAX_OUTPUT_FAILURES:
                failures.append(Failure(
                    "replay", f"call {site.call.id} {site.name}: the recorded output differs from the real one: "
                              f"recorded {shorten(site.output_text, 200)} | real {shorten(real, 200)}",
                    site.output_index))
    return failures


def check_state(dialogue: Dialogue, env: Environment) -> list[Failure]:
    """`env` is in the dialogue's final state (after check_replay)."""
    expected = dialogue.record.expected
    last = len(dialogue.messages) - 1
    failures: list[Failure] = []
    final_hash = env.state_hash()
    actual_diff = env.diff().model_dump(mode="json")
    if expected is None:
        failures.append(Failure("state", "the record has no `expected` (final_state_hash and diff)", None))
    else:
        if final_hash != expected.final_state_hash:
            failures.append(Failure("state", f"the final state hash is {final_hash[:12]}…, the record expects "
                                             f"{expected.final_state_hash[:12]}…", last))
        if not same_json(actual_diff, expected.diff):
            detail = "; ".join(describe_diff_mismatch(expected.diff, actual_diff))
            failures.append(Failure("state", f"the state diff differs from expected.diff: {detail}", last))
    intended = dialogue.record.task.intended_calls()
    if not intended:
        return failures
    tools = {t.name: t for t in env.tools}
    intended_writes = [(c.name, c.arguments) for c in intended if c.name in tools and tools[c.name].writes]
    made_writes = [(s.name, s.arguments) for s in dialogue.calls
                   if s.name in tools and tools[s.name].writes and s.output_text is not None and not s.failed]
    if all(c.name in tools for c in intended) and intended_writes == made_writes:
        # The same writes in the same order from the same initial state: the same state (reads and
        # failed calls change nothing, and replay already proved each recorded outcome real).
        return failures
    env.reset()
    for position, call in enumerate(intended):
        if call.name not in {t.name for t in env.tools}:
            failures.append(Failure("state", f"task call {position} '{call.name}' is not a tool of env {env.name}"))
            return failures
        if not env.tool(call.name).writes:
            continue  # a read changes nothing
        result = env.call(call.name, call.arguments)
        if not result.ok:
            failures.append(Failure("state", f"task call {position} {call.name} fails on a fresh env: {result.error}"))
            return failures
    # Same initial state, so equal hashes mean equal diffs; the diff is only needed to explain.
    if env.state_hash() != final_hash:
        detail = "; ".join(describe_diff_mismatch(env.diff().model_dump(mode="json"), actual_diff))
        failures.append(Failure("state", f"the dialogue's changes differ from the task's intended calls "
                                         f"(collateral or missing changes): {detail}", last))
    return failures
