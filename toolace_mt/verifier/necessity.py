"""`necessity`: each call earns its place.

- `unused_call`: a successful read whose output shows something new (a value no earlier
  message or output showed) none of which a later call's argument or a later assistant
  text uses; or whose output shows nothing new at all.
- `repeated_call`: a successful call made again with identical arguments, and no
  successful write in between could have changed its result.
- `re_resolved_entity`: a look-up by other details (its arguments do not name the entity)
  whose output is an entity an earlier output already identified (find_customer_by_email
  right after find_customer_by_name_zip returned the same customer id).
"""

from __future__ import annotations

import json
from typing import Any

from toolace_mt.record import AssistantMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import is_identifier, leaves, list_lengths, normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import id_stem, is_id_field, name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.shown_records import shows_record
from toolace_mt.verifier.told import Shown, Told, meaningful_leaves, parsed, whole_words

CHECK = "necessity"
KINDS = (
    FindingKind("unused_call", CHECK, True, "a read whose output no later call or reply uses"),
    FindingKind("repeated_call", CHECK, False, "an identical call repeated with no write in between"),
    FindingKind("re_resolved_entity", CHECK, False, "a look-up that re-resolves an entity already identified"),
)


def _argument_strings(site: CallSite) -> set[str]:
    return {normalise(str(leaf)) for leaf in leaves(site.arguments or {}) if leaf is not None}


def entity_key(site: CallSite) -> tuple[str, str] | None:
    """(field, value) of the one entity a look-up returned: a bare id, a single object, or
    a one-item list of objects; the field named after the tool's noun (`customer_id` for
    find_customer_by_email, `taskID` for getTask), else the object's only id field."""
    out = site.output
    if isinstance(out, str):
        return ("", out) if is_identifier(out) or ("_" in out and any(c.isdigit() for c in out)) else None
    if isinstance(out, list) and len(out) == 1 and not site.name.casefold().startswith("list"):
        out = out[0]  # a search that found one (a listing that happens to hold one is not a look-up)
    if not isinstance(out, dict):
        return None
    ids = [k for k, v in out.items() if is_id_field(k) and isinstance(v, str) and v]
    words = {w.rstrip("s") for w in name_words(site.name)}
    named = [k for k in ids if (id_stem(k) or "").rstrip("s") in words
             or (id_stem(k) or "").split("_")[-1].rstrip("s") in words]
    key = named[0] if named else (ids[0] if len(ids) == 1 else None)
    return (key, out[key]) if key else None


def _successful(site: CallSite) -> bool:
    return site.output_text is not None and not site.failed


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings: list[Finding] = []
    messages = dialogue.messages
    # Later texts and arguments, read once: texts_after[i] tells what assistant texts from message i on say.
    assistant_texts = [(i, m.content or "") for i, m in enumerate(messages)
                       if isinstance(m, AssistantMessage) and (m.content or "").strip()]
    shown = Shown()
    seen_outputs: list[tuple[int, set[str]]] = []  # (message index, string leaves of that output)
    done: list[tuple[int, CallSite]] = []  # successful calls so far, in order
    for index, message in enumerate(messages):
        role = message.role
        if role == "user":  # not the system prompt: an env's description shows example ids, not facts
            shown.add_text(message.content or "")
            continue
        if role == "tool" or not isinstance(message, AssistantMessage):
            continue
        sites = dialogue.calls_at(index)
        unused: list[tuple[CallSite, str]] = []
        for site in sites:
            if not _successful(site):
                continue
            repeated = False
            key = json.dumps([site.name, site.arguments], sort_keys=True, default=str)
            # repeated: same call, no successful write since the earlier one
            for position in range(len(done) - 1, -1, -1):
                earlier_index, earlier = done[position]
                if json.dumps([earlier.name, earlier.arguments], sort_keys=True, default=str) == key:
                    between = [s for _, s in done[position + 1:] if policy.is_write(s.name) and s is not earlier]
                    # unknown policy: a call made again right after itself, answered the same, changed nothing
                    unchanged = not policy.is_write(site.name) or (not policy.known and
                                                                  earlier.output_text == site.output_text)
                    if not between and unchanged:
                        repeated = True
                        findings.append(Finding("repeated_call", f"call {site.call.id} {site.name} repeats the call "
                                                f"at message {earlier_index} with the same arguments, and no write "
                                                "in between could change its result", index))
                    break
            # re-resolved: a look-up by other details returning an entity an earlier output showed
            # (a read with no arguments shows the current one, a profile after a sign-in: no other details)
            if (not policy.is_write(site.name) or not policy.known) and site.arguments != {}:
                entity = entity_key(site)
                if entity is not None:
                    value = normalise(entity[1])
                    if value not in _argument_strings(site):
                        earlier = next((i for i, values in seen_outputs if value in values), None)
                        if earlier is not None:
                            findings.append(Finding(
                                "re_resolved_entity", f"call {site.call.id} {site.name} looks up {entity[1]} again "
                                f"by other details, but the output at message {earlier} already identified it", index))
            # unused: the read's new values feed nothing later
            if policy.known and not policy.is_write(site.name) and not repeated:
                problem = _unused(site, shown, dialogue, assistant_texts, index, policy)
                if problem:
                    unused.append((site, problem))
        findings += [Finding("unused_call", problem, index) for site, problem in unused
                     if not _searched_candidate(site, sites, {id(s) for s, _ in unused}, seen_outputs)]
        for site in sites:
            if _successful(site):
                done.append((index, site))
                out = site.output
                seen_outputs.append((site.output_index or index,
                                     {normalise(str(leaf)) for _, leaf in meaningful_leaves(out)}))
        for site in sites:  # the outputs of a turn become known after all its calls were made
            if site.output_text is not None:
                shown.add_output(parsed(site.output_text))
    return findings


def _searched_candidate(site: CallSite, turn: list[CallSite], unused: set[int],
                        seen_outputs: list[tuple[int, set[str]]]) -> bool:
    """One of several look-ups of one tool in one turn, over candidates one earlier output
    listed (the user's orders, read to find "the one with the office chair"), of which
    another was used: looking at a candidate that did not fit is how the one that fits
    was found."""
    if site.arguments is None or len(site.arguments) != 1:
        return False
    siblings = [s for s in turn if s.name == site.name and s.arguments is not None
                and set(s.arguments) == set(site.arguments) and _successful(s)]
    if len(siblings) < 2 or all(id(s) in unused for s in siblings):
        return False
    values = {normalise(str(leaf)) for s in siblings for leaf in leaves(s.arguments or {}) if leaf is not None}
    return any(values <= listed for _, listed in seen_outputs)


def _unused(site: CallSite, shown: Shown, dialogue: Dialogue, assistant_texts: list[tuple[int, str]],
            index: int, policy: EnvPolicy) -> str | None:
    entity = entity_key(site)
    if entity is not None and policy.user_key and entity[0] in ("", policy.user_key):
        return None  # a look-up that identifies the user (authentication) earns its place
    values = meaningful_leaves(site.output)
    if not values:
        return None  # an empty answer is news in itself ("no orders")
    new = [leaf for _, leaf in values if not shown.knows(leaf)]
    if not new and _shows_the_users_words(site, values, shown):
        return None  # an action the user asked for (display these lines), not a look-up
    if not new:
        return (f"call {site.call.id} {site.name} shows nothing new: every value of its output was already known "
                "(drop it)")
    if _checks_a_later_write(site, dialogue, index, policy):
        return None  # the env's policy asks for the record to be looked at before acting on it
    later_texts = Told.of(*(text for i, text in assistant_texts if i > index))
    later_arguments: set[str] = set()
    later_numbers: set[float] = set()
    for other in dialogue.calls:
        if other.message_index > index:
            for leaf in leaves(other.arguments or {}):
                if isinstance(leaf, int | float) and not isinstance(leaf, bool):
                    later_numbers.add(round(float(leaf), 6))
                elif leaf is not None:
                    later_arguments.add(normalise(str(leaf)))
    for leaf in new:
        if isinstance(leaf, int | float):
            if round(float(leaf), 6) in later_numbers:
                return None
        elif normalise(str(leaf)) in later_arguments:
            return None
        if later_texts.tells(leaf, loose=True):
            return None
    # An answer drawn from it: a value the user asked about ("is anything still pending?" - "both
    # are pending"), not one the call was given, or how many it listed ("Do I have any?" - "Yes, two").
    own = _argument_strings(site)
    asked = [leaf for _, leaf in values if isinstance(leaf, str) and normalise(leaf) not in own
             and any(whole_words(normalise(leaf), text) for text in shown.texts)]
    if any(later_texts.tells(leaf) for leaf in asked):
        return None
    if any(n >= 2 and any(abs(m - n) < 1e-9 for m in later_texts.found.numbers) for n in list_lengths(site.output)):
        return None
    sample: Any = new[0]
    return (f"call {site.call.id} {site.name}'s output is never used: no later call or reply uses what it showed "
            f"(e.g. {json.dumps(sample, ensure_ascii=False)[:60]})")


def _checks_a_later_write(site: CallSite, dialogue: Dialogue, index: int, policy: EnvPolicy) -> bool:
    """Whether the read shows the record a later successful write acts on, in an env whose
    policy (CHECK_BEFORE_WRITE) asks for that look: its status may be one already known
    ("pending"), but the look is what the policy requires."""
    if not policy.checked_writes:
        return False
    for other in dialogue.calls:
        param = policy.checked_writes.get(other.name)
        value = (other.arguments or {}).get(param) if param and other.message_index > index else None
        if value is not None and _successful(other) and shows_record(site.output, param, value):
            return True
    return False


def _shows_the_users_words(site: CallSite, values: list[tuple[Any, Any]], shown: Shown) -> bool:
    """Whether a read's output is exactly its own text arguments, each of several words and
    each said in a user turn before it (display_log of the lines the user dictated): the
    user asked for the call's effect (the lines shown), not for an answer."""
    given = sorted(normalise(str(leaf)) for leaf in leaves(site.arguments or {}) if leaf is not None)
    told = sorted(normalise(str(leaf)) for _, leaf in values)
    return bool(given) and given == told and all(
        isinstance(leaf, str) and " " in leaf.strip()
        and any(whole_words(normalise(leaf), text) for text in shown.texts)
        for leaf in leaves(site.arguments or {}))


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
