"""The offline backend's language: each turn of a dialogue worded by its kind, from
templates (`wording`), the envs' phrasing hints and Faker, seeded per turn so that a turn
is worded the same way each time it is asked for. Requests are request_wording's,
replies reply_wording's, confirmations confirm_wording's."""

from __future__ import annotations

import random
import re

from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.generation.language import own_record
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.assistant_phrases import ask_templates
from toolace_mt.generation.language.chosen_action import chosen_verb
from toolace_mt.generation.language.confirm_wording import confirm_text
from toolace_mt.generation.language.env_words import (
    enum_values,
    enum_words,
    parameter_names,
    said_enum,
    said_key,
    situation_people,
    spoken_key,
    spoken_names,
)
from toolace_mt.generation.language.error_wording import plain_error
from toolace_mt.generation.language.field_clauses import clause
from toolace_mt.generation.language.reply_wording import focus_of, reply_text
from toolace_mt.generation.language.request_wording import flag_sentences, request_text, said_no, turn_before
from toolace_mt.generation.language.said_back import yours
from toolace_mt.generation.language.spoken_values import natural
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.id_fields import key_stem

# A choice that is the action itself, given when asked for ("What is the decision?").
CHOSEN_ANSWERS = ["Please {verb} it.", "I'd like to {verb} it.", "{Verb} it, please.", "Let's {verb} it.",
                  "I want to {verb} it."]

REDRAWS = 6  # wordings tried before a repeated assistant text is made new by a closing sentence


def turn_text(bench: Workbench, segment: Segment, turn: Turn, draft: Draft | None = None) -> str:
    """The turn's text. An assistant text never repeats another assistant text of the
    dialogue (of `draft` when given, else of its sub-task) word for word: the judge drops
    a dialogue whose reply repeats the previous one, as when two sub-tasks show the same
    fact. Such a wording is drawn again from seeds derived from the turn's."""
    text = _turn_text(bench, segment, turn, random.Random(turn.seed), draft)
    if turn.role != "assistant" or turn.calls:
        return text
    turns = [t for s in draft.segments for t in s.turns] if draft is not None else segment.turns
    others = {(t.text or "").strip() for t in turns if t is not turn and t.role == "assistant" and not t.calls}
    redraw = 0
    while text.strip() in others and redraw < REDRAWS:
        redraw += 1
        text = _turn_text(bench, segment, turn, random.Random(f"{turn.seed}:again:{redraw}"), draft)
    if text.strip() in others:  # every redraw repeats: one more sentence makes it new
        text = next((candidate for tail in w.RESULT_TAILS if (candidate := w.join(text, tail)) not in others), text)
    return text


def _turn_text(bench: Workbench, segment: Segment, turn: Turn, rng: random.Random, draft: Draft | None = None) -> str:
    topic = turn.topic
    if turn.kind == "request":
        return request_text(bench, segment, turn, turn_before(draft, segment, turn))
    if turn.kind == "reply":
        tool = bench.tools[segment.target]
        enables = any(tool.name in writes for writes in bench.preconditions.enabled_by.values())
        return reply_text(segment, turn, rng, focus_of(segment, draft), spoken_names(bench),
                          user_key=bench.values.user_key, sign_in=own_record.signs_in(tool, enables),
                          references=parameter_names(bench),
                          chosen=next((chosen_verb(tool, c.arguments) for c in segment.target_calls()[:1]), None))
    if turn.kind == "ask":
        return ask_text(rng, spoken_key(bench, topic["param"]),
                        record_key=topic["param"] != bench.values.user_key and key_stem(topic["param"]) is not None
                        and not w.id_key(topic["param"]))
    if turn.kind == "correction" and topic.get("respelt"):  # a search word that found nothing
        return w.respelt(rng, topic["value"])
    if turn.kind in ("answer", "correction"):
        flag = flag_sentences(bench.tools[segment.target], [(said_key(topic["param"]), topic["value"])], rng)
        if flag and turn.kind == "answer":
            return next(iter(flag.values()))
        chosen = chosen_verb(bench.tools[segment.target], {topic["param"]: topic["value"]})
        if chosen and turn.kind == "answer":  # "What is the decision?" - "Please approve it.", not "It's approve."
            return rng.choice(CHOSEN_ANSWERS).format(verb=chosen[1], Verb=chosen[1].capitalize())
        # A person's name the call looks up is the user's own only when it finds their record
        # ("my name is Terry Guzman" to search customers is someone else's name said as theirs).
        theirs = not own_record.name_key(said_key(topic["param"])) or \
            own_record.is_own(segment.target_output(), bench.values.user_key)
        return w.answer(rng, spoken_key(bench, topic["param"]), said_enum(topic["value"], enum_words(bench),
                                                                   enum_values(bench)),
                        correction=turn.kind == "correction", theirs=theirs)
    if turn.kind == "error_reply":
        param = topic["param"]
        if "found_nothing" in topic:  # a search for a misspelt name that found nothing
            error, wrong = "", topic["found_nothing"]
        else:
            failed = next(c for t in segment.turns for c in t.calls if not c.expect_ok)
            error = failed.result.error.message if failed.result and failed.result.error else ""
            error = tl.redact(error, tl.secret_values(failed.arguments))  # a password is never said back
            wrong = None if tl.is_secret(param) else failed.arguments.get(param)
        label = w.label(spoken_key(bench, param)).removeprefix("my ")
        if topic.get("together"):  # the error names several fields: which was wrong is not known
            label = w.list_words([w.label(spoken_key(bench, p)).removeprefix("my ") for p in topic["together"]])
            wrong = None
        said = plain_error(error, label, wrong) if "found_nothing" not in topic else \
            f"I couldn't find anything matching {natural(wrong)}."
        label = "spelling" if "found_nothing" in topic else label  # "Could you check the spelling?"
        return rng.choice(w.ERROR_REPLIES).format(error=said[0].upper() + said[1:], error_l=said, label=label)
    if turn.kind == "refusal":
        request = yours(topic["request"])
        # "help you walk you through ...", "help you help you with ...": a request about the
        # user is refused without "help you" before it
        frames = [f for f in w.REFUSALS if "help you {request}" not in f or not re.search(r"\byou\b", request)]
        return rng.choice(frames).format(request=request)
    if turn.kind == "confirm":
        return confirm_text(bench, segment, turn, rng)
    if turn.kind == "agree":
        return w.agree(rng)
    if turn.kind == "chat":
        if "recall" in topic:
            # whether a reply says it is not known when the user asks: replies are worded (and
            # reworded, on the user's words) after the user's turns
            return w.recall(rng, topic["recall"], said_before=None)
        if "request" in topic:
            return w.ask_unsupported(rng, topic["request"])
        before = turn_before(draft, segment, turn)
        if before is None and turn not in segment.turns and segment.turns:
            before = segment.turns[-1]  # a chat worded before it is added: it goes after the segment's last turn
        if said_no(before):  # not "that's a relief" to a no
            return rng.choice(w.CHAT_AFTER_NO)
        return w.chat(rng, situation_people(bench, rng))
    if turn.kind == "chat_reply":
        # The fact as the target's output shows it now: a later edit may have re-executed
        # the sub-task on another state since the question was planted.
        source = topic.get("source")  # the earlier sub-task whose reply told it
        output = (draft.segments[source] if isinstance(source, int) and 0 <= source < len(draft.segments)
                  else segment).target_output()
        value = output.get(topic["recall"]) if "recall" in topic and isinstance(output, dict) \
            and not tl.is_secret(str(topic["recall"])) else None  # a credential is never said back
        if not w.empty(value):
            told = clause(topic["recall"], value)
            return rng.choice([told[0].upper() + told[1:] + ".", f"Sure: {told}.", f"Of course, {told}."])
        asked = next((t.text or "" for t in reversed(segment.turns[:segment.turns.index(turn)])
                      if t.role == "user"), "") if turn in segment.turns else ""
        if asked.strip() in w.CHAT_AFTER_NO:  # the user let go of what could not be done
            return rng.choice(w.CHAT_REPLY_AFTER_NO)
        return rng.choice(w.CHAT_REPLY_QUESTION if asked.rstrip().endswith("?") else w.CHAT_REPLY)
    return turn.text or ""

# How the assistant asks for a relation's value, by its preposition ("Which account should it come from?").
RELATION_VERBS = {"from": "come from", "to": "go to", "into": "go into", "onto": "go onto", "towards": "go towards"}


def ask_text(rng: random.Random, param: str, record_key: bool = False) -> str:
    """The assistant's question for a value the user left out: "Could you tell me the zip
    code?"; a relation parameter by what it relates ("Which account should it come from?");
    a record's number or code (`record_key`) as its record ("Which group is it?", never
    "Could you tell me the group code?": people know a group by its name)."""
    if record_key and len(w.label(param).split()) >= 2:
        param = w.label(param).rsplit(" ", 1)[0] + " ID"  # asked as the thing it keys
    related = w.relation(param)
    if related is None:
        return rng.choice(ask_templates(w.label(param))).format(label=w.label(param))
    prep, noun = related
    if noun:
        question = f"Which {noun} should it {RELATION_VERBS.get(prep, f'be {prep}')}?"
    else:  # a date: "from_date", "to_date"
        question = f"What date should it {({'from': 'start from', 'to': 'run until'}).get(prep, f'be {prep}')}?"
    return rng.choice(["Sure, I can help with that. {q}", "Happy to help. {q}", "I can do that. {q}",
                       "Before I go ahead, a quick question. {q}"]).format(q=question)
