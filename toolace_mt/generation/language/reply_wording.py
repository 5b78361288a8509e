"""The assistant's closing reply of a sub-task, in prose: what a write did (and made),
what a look-up was asked, several look-ups one line each; the user's own record is not
read their own name back."""

from __future__ import annotations

import random
import re
from typing import Any

from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import field_change as fc
from toolace_mt.generation.language import own_record
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.assistant_phrases import FIRST_LEADS
from toolace_mt.generation.language.confirm_wording import id_names
from toolace_mt.generation.language.error_wording import plain_error
from toolace_mt.generation.language.record_facts import CONTENT
from toolace_mt.generation.language.record_listing import describe_item, entries
from toolace_mt.generation.language.reply_focus import Focus, stems
from toolace_mt.generation.language.speech import summary
from toolace_mt.generation.language.spoken_values import is_money, natural
from toolace_mt.generation.language.verb_forms import participle
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.verifier.evidence import leaves

# A question about what a record holds, and the fields that hold it.
_CONTENTS = re.compile(r"\bwhat(?:'s| is| was| are| were)(?: all)? (?:in|inside|on)\b|\bcontents?\b|\bwhat(?: did)? i "
                       r"(?:ordered|bought|got)\b")
CONTENT_FIELDS = frozenset({"items", "contents", "lines", "entries", "products", "line_items"})


def focus_of(segment: Segment, draft: Draft | None) -> Focus:
    """What the sub-task's reply tells first: the fields the user's words in it name, then
    values no output before its target call showed."""
    said = [(t.text or "").lower() for t in segment.turns if t.role == "user"]
    words = {x for text in said for x in re.findall(r"[a-z]{4,}", text)}
    if any(_CONTENTS.search(text) for text in said):  # "what's in my order?" asks for its items
        words |= CONTENT_FIELDS
    # "pull up my flight" asks about the flight, not its `flight_number`: one record's own noun names no
    # field of it (a list's does: "look for flights" asks which flights, by their numbers)
    if isinstance(segment.target_output(), dict):
        words -= {x for x in words if x.rstrip("s") in stems(segment.target)}
    target = segment.target_calls()[:1]
    shown: set[str] = set()
    segments = [*(draft.segments if draft is not None and segment in draft.segments else []), segment]
    for each in segments:
        for t in each.turns:
            if target and any(c is target[0] for c in t.calls):
                return Focus(words, shown)
            shown |= {str(v) for c in t.calls if _succeeded(c) and c.result is not None
                      for v in leaves(c.result.result)}
    return Focus(words, shown)


def reply_text(segment: Segment, turn: Turn, rng: random.Random, focus: Focus | None = None,
               names: dict[str, str] | None = None, user_key: str | None = None, sign_in: bool = False,
               references: frozenset[str] = frozenset(), chosen: tuple[str, str] | None = None) -> str:
    """The sub-task's closing reply, in prose: what a write did, or what was asked of a
    look-up (the facts its name asks about first, a list by its entries). `names`: what a
    person calls awkwardly named parameters (`num_days`), which outputs echo as fields.
    The user's own record (by `user_key`) is not read their own name; a sign-in greets them.
    `references`: the env's parameter names, the keys a create's new record is told by.
    `chosen`: (parameter, verb) of a write whose action is an argument's value ("approved")."""
    target, *siblings = segment.target_calls() or [None]
    if target is None or target.result is None:
        return "I've looked into it."
    if not target.result.ok:
        message = (target.result.error.message if target.result.error else "").strip()
        return "I'm sorry, I couldn't do that: " + plain_error(message, "details", None)
    writes = bool(turn.topic.get("writes"))
    past = (participle(chosen[1]) if chosen else w.past_tense(segment.target)) \
        if writes else None  # only writes do things: "approved", "returned" (a report, not goods)
    output = target.result.result
    if sign_in and not siblings:  # "You're signed in, Miranda.", not their name and username read out
        left = own_record.rest_of_sign_in(output, target.arguments)
        rest = summary(left, segment.target, rng, focus=focus) if left else ""
        return w.join(rng.choice(w.REPLY_OPENERS), own_record.signed_in_line(output, past, rng), rest)
    if own_record.is_own(output, user_key):  # their own profile: what it holds beside their name
        said = {str(v) for v in segment.stated.values()}  # "find me by first name Collin" asks no name
        # a user found by a name of theirs asks none of them ("family name Golden" asks no "given name")
        found_by_name = any(own_record.name_key(k) and str(v) in said for k, v in output.items())
        name = own_record.first_name(output)
        output = own_record.without_names(output, {k for k, v in output.items() if focus is not None
                                                   and focus.asked(k) and str(v) not in said and not found_by_name})
        if not writes and isinstance(output, dict) and set(output) <= {user_key} \
                and not (focus is not None and user_key and focus.asked(user_key)):  # only their own number left
            return rng.choice(w.READ_OPENERS) + " " + (f"I've found your record, {name}." if name
                                                        else "I've found your record.")
    named_ids = id_names([c.result.result for t in segment.turns for c in t.calls
                          if c.result is not None and c.result.ok])  # "PH08 (Walter Pharmacy)"
    claim, claimed = (_claim(segment.target, past, target, named_ids, user_key) if past and _succeeded(target)
                      else ("", set()))
    if claim and chosen:  # "I've approved report ER-5040" says the decision: not again as "the decision is approve"
        claimed.add(chosen[1])
    # The user's own id on what a write made, on what a look-up found, or the one they acted
    # as, is no news ("the employee ID is E4012", "the patient ID is PT1060")
    # (a key of the user's kind that a write named for that kind just made, a new passenger's
    # from create_passenger, is news, not theirs)
    theirs = {str(v) for v in [*target.arguments.values(), *segment.stated.values(), *segment.context.values()]}
    new_of_their_kind = bool(writes and user_key and w.snake(user_key).removesuffix("_id") in w.snake(segment.target)
                             and isinstance(output, dict) and str(output.get(user_key)) not in theirs)
    own_id = {str(found[user_key]) for found in (output, target.arguments) if user_key
              and isinstance(found, dict) and isinstance(found.get(user_key), str | int)
              and not (found is output and new_of_their_kind)}
    facts = summary(_renamed(output, names or {}), segment.target, rng,
                    arguments=tl.without_secrets(target.arguments) if writes else None,
                    known=_known(segment, target, writes) | claimed | own_id, focus=focus,
                    references=references - {user_key})
    if not facts and not claim:  # nothing came back and nothing to claim (a thought logged)
        return rng.choice(w.EMPTY_RESULTS)
    records = [c for c in (target, *siblings) if _succeeded(c) and c.result is not None
               and isinstance(c.result.result, dict)]
    if siblings and not writes and len(records) >= 2:  # the same look-up of several: one line each, not read-outs
        return w.join(rng.choice(w.READ_OPENERS), rng.choice(["Here they are:", "Here's each of them:",
                                                                 "Here's what each shows:"]) + "\n" + "\n".join(
            f"- {_headed(c, focus)}" for c in records))
    if siblings and facts:  # several look-ups at once: each answer says whose it is
        first = natural(next(iter(target.arguments.values())))  # "out for delivery", never the raw value
        facts = w.join(rng.choice(FIRST_LEADS).format(value=first), facts)
    for sibling in siblings:  # the same look-up of another entity, told after
        if sibling.result is not None and sibling.result.ok:
            told = summary(_renamed(sibling.result.result, names or {}), segment.target, rng,
                                  known=_known(segment, sibling, False),
                                  focus=focus)
            if told:
                value = natural(next(iter(sibling.arguments.values())))
                facts = w.join(facts, rng.choice(w.SIBLING_LEADS).format(value=value), told)
    said_by_output = [v for v in leaves(target.result.result) if isinstance(v, str) and len(v.split()) >= 3]
    if claim and past and any(re.search(rf"\b{re.escape(past.split()[0])}\b", v, re.I) and v in facts
                              for v in said_by_output) and not claimed - {str(v) for v in target.arguments.values()}:
        claim = ""  # the output says it in its own words ("Message sent to USR006 successfully.")
    openers = w.REPLY_OPENERS if claim or writes else w.READ_OPENERS
    if facts in w.NO_RESULTS or facts in w.EMPTY_RESULTS:  # "Here you go. Nothing matched." gives nothing
        openers = [o for o in openers if o not in _GIVING] or openers
    return w.join(rng.choice(openers), claim, facts)


def _renamed(output: object, names: dict[str, str]) -> object:
    """An output whose fields named like awkward parameters (`num_days`, or `to_value`
    for a parameter `to`) carry the names a person has for them (`number_of_days`)."""
    if not names:
        return output
    if isinstance(output, list):
        return [_renamed(item, names) for item in output]
    if not isinstance(output, dict):
        return output
    renamed: dict[str, object] = {}
    for key, value in output.items():
        said = names.get(key) or (names.get(key.removesuffix("_value")) if key.endswith("_value") else None)
        new = said.replace(" ", "_") if said else key
        renamed[new if new not in output and new not in renamed else key] = value
    return renamed


def _headed(call: Call, focus: Focus | None) -> str:
    """A looked-up record, led by the value it was looked up by: "FLI-1007: cancelled"."""
    output = call.result.result if call.result is not None else None
    value = next((v for v in call.arguments.values() if isinstance(v, str | int) and not isinstance(v, bool)), None)
    if value is None or not isinstance(output, dict):
        return describe_item(output, focus)
    rest = {k: v for k, v in output.items() if str(v) != str(value)}
    said = f"{natural(value)}: {describe_item(rest, focus)}"  # "August 5, 2026", "conference fees"
    listed = next((items for items in map(entries, rest.values()) if items and isinstance(items[0], dict)), [])
    if listed:  # a record of entries (a product's variants): the first few, by their details
        said += " - " + "; ".join(describe_item(item, focus) for item in listed[:3]) \
            + ("; and more" if len(listed) > 3 else "")
    text = _new_text(rest, said, focus)
    return f'{said}, saying "{text}"' if text else said

QUOTED_TEXT = 160  # characters of a record's text a line quotes (its first sentences)


def _new_text(output: dict[str, Any], said: str, focus: Focus | None) -> str | None:
    """A record's text (a message's body) to quote when the line tells nothing else new: a
    look-up after a search that showed the rest is made for what only it holds."""
    if focus is None or not focus.shown or any(str(v) in said for v in output.values()
                                               if isinstance(v, str | int | float) and str(v) not in focus.shown):
        return None
    text = next((v.strip() for k, v in output.items() if k in CONTENT and isinstance(v, str)
                 and v.strip() and v not in focus.shown and v.strip() not in said), None)
    if text is None or len(text) <= QUOTED_TEXT:
        return text
    sentences = re.findall(r"[^.!?]+[.!?]+", text)
    quoted = ""
    for sentence in sentences:
        if len(quoted) + len(sentence) > QUOTED_TEXT:
            break
        quoted += sentence
    return quoted.strip() + " ..." if quoted.strip() else text[:QUOTED_TEXT].rsplit(" ", 1)[0] + " ..."

# Openers that hand something over: not before a reply that found nothing.
_GIVING = frozenset({"Here you go.", "Here's what I found.", "Sure thing.", "Got it."})

# Verbs of a write that moves money: its amount is part of what was done ("I've paid ... $25.00").
_MONEY_VERBS = frozenset({"pay", "transfer", "send", "refund", "deposit", "withdraw", "charge", "donate", "tip",
                          "top", "fund", "move"})


# Who a write sends something to, by a parameter's first word (`receiver_id`, `recipientEmail`).
_RECEIVERS = frozenset({"receiver", "recipient", "addressee"})


def _claim(tool: str, past: str, call: Call, named_ids: dict[str, str] | None = None,
           user_key: str | None = None) -> tuple[str, set[str]]:
    """What a write did, as one sentence, and the values it says: "I've paid payee PAY-5029
    (Jack Zimmerman MD) $679.54 from account ACC-10042.", "I've transferred $370.27 from
    account ACC-10073 to account ACC-10074."; a field pointed at another record, by the
    record it is of: "I've updated the pharmacy of dispense MD30045 to PH08 (Walter Pharmacy)."."""
    output = call.result.result if call.result is not None else None
    change = fc.field_change(tool, call.arguments, output)
    if change is not None:
        return _changed(past, call, change, named_ids or {}, user_key)
    ref = w.referent_argument(tool, call.arguments)
    if ref is not None and ref == user_key and w.snake(tool).split("_")[0] in w.CHANGE_VERBS:
        # their own record: "I've updated your details.", not "I've updated patient PT1060."
        return f"I've {past} your details.", {str(call.arguments[ref])}
    value = call.arguments.get(ref) if ref else None
    named = ref is not None and isinstance(value, str | int) and not isinstance(value, bool)
    thing = "" if not named or ref is None else w.label(ref).removesuffix(" ID") \
        if w.id_key(ref) else w.label(ref).rsplit(" ", 1)[0]  # "flight number" FLI-1: "flight FLI-1"
    said: set[str] = set()
    head = f"I've {past}"
    # "invite_to_event(event_id, contact_id)": the contact is who was invited, the event
    # what to ("I've invited contact C-1042 to event EV-2051", never "I've invited event EV-2051")
    moved = _moved_argument(tool, ref, call.arguments) if thing else None
    if moved is not None:
        head += f" {w.label(moved).removesuffix(' ID')} {call.arguments[moved]} to"
        said.add(str(call.arguments[moved]))
    if thing:
        head += f" {thing} {value}"
        said.add(str(value))
        name = _name_of(output, ref or "", value)
        if name:
            head += f" ({name})"
            said.add(name)
    arguments = {k: v for k, v in tl.without_secrets(call.arguments).items() if k != moved}
    money = [(k, v) for k, v in arguments.items() if is_money(k, v)]
    extras = []
    if len(money) == 1 and w.snake(tool).split("_")[0] in _MONEY_VERBS:
        extras.append(natural(money[0][1], money[0][0]))
        said.add(str(money[0][1]))
    for key, item in arguments.items():
        phrase = w.relation_phrase(key, natural(item, key)) \
            if key != ref and not isinstance(item, bool | list | dict) and not w.empty(item) else None
        if phrase is None and key != ref and isinstance(item, str | int) and not isinstance(item, bool) \
                and w.snake(key).split("_")[0] in _RECEIVERS:  # "I've sent the message to USR006"
            phrase = f"to {item}"
        if phrase:
            extras.append(phrase)
            said.add(str(item))
    if not thing and not extras and past.split()[-1] not in w.PARTICLES:  # "I've logged out", not "... out it"
        noun = w.snake(tool).split("_")[1:]  # "I've placed the hold", not "I've placed it" out of nowhere
        plain = noun and not set(noun) & (w.PARTICLES | _NOT_NOUNS) and all(x.isalpha() for x in noun)
        head += f" the {' '.join(noun)}" if plain else " it"
    return " ".join([head, *extras]) + ".", said


def _changed(past: str, call: Call, change: fc.FieldChange, named_ids: dict[str, str],
             user_key: str | None) -> tuple[str, set[str]]:
    """"I've updated the pharmacy of dispense MD30045 to PH08 (Walter Pharmacy).", "I've
    updated your preferred pharmacy to PH08 (Walter Pharmacy)." (the user's own record)."""
    record, value = call.arguments[change.record], call.arguments[change.value]
    said = str(value) + (f" ({named_ids[str(value)]})" if str(value) in named_ids else "")
    head = f"I've {past} your {change.field}" if change.record == user_key \
        else f"I've {past} the {change.field} of {fc.thing(change.record)} {record}"
    done = {str(record), str(value)} | ({named_ids[str(value)]} if str(value) in named_ids else set())
    return f"{head} {fc.to_value(change, said)}.", done


# Words of a tool's name that make its rest no noun phrase ("apply_for_permit", "get_my_id").
_NOT_NOUNS = frozenset({"to", "from", "for", "with", "into", "between", "by", "my", "all", "id", "ids", "a", "an",
                        "the", "and", "or", "of", "at"})


def _moved_argument(tool: str, ref: str | None, arguments: dict[str, Any]) -> str | None:
    """The id argument a `<verb>_to_<thing>` write brings to its referent (the contact of
    `invite_to_event`, the member of `add_to_group`); None for any other write."""
    words = w.snake(tool).split("_")
    if "to" not in words[1:-1] or ref is None:
        return None
    others = [k for k, v in arguments.items() if k != ref and w.id_key(k) and isinstance(v, str | int)
              and not isinstance(v, bool)]
    return others[0] if len(others) == 1 else None


def _name_of(output: object, ref: str, value: object) -> str | None:
    """The name an output gives the thing a write acted on: `payee_name` for payee_id, or
    the record's own name when the output is that record."""
    if not isinstance(output, dict) or not ref.endswith("_id"):
        return None
    thing = ref[:-3]
    keys = [f"{thing}_name", f"{thing}_title"] + (["name", "title", "full_name"] if output.get(ref) == value else [])
    return next((str(output[k]).strip() for k in keys if isinstance(output.get(k), str) and output[k].strip()
                 and len(output[k]) <= 60), None)


def _known(segment: Segment, call: Call, writes: bool) -> set[str]:
    """Values the user knows already, not worth telling back: the call's arguments (for a
    write, the id of what it acted on; the values it set are worth confirming) and the
    user's own id."""
    ref = w.referent(segment.target)
    stated = {_key(v) for v in segment.stated.values()}
    # A read's arguments the user said; one a look-up found for them (the message a search
    # found) is news worth naming.
    said = [call.arguments.get(ref)] if writes else [v for v in call.arguments.values() if _key(v) in stated]
    said += [v for k, v in segment.context.items() if k.endswith("_id") and k.startswith(("customer", "user"))]
    return {str(v) for v in said if isinstance(v, str | int | float) and not isinstance(v, bool)}


def _succeeded(call: Call) -> bool:
    return call.result is not None and call.result.ok
