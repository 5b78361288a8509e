"""The user's opening message of a sub-task: what is asked (from the tool's phrasing
hints, its description or its name), the target's values said as a person says them,
the values only look-ups need, maybe a line of the user's situation."""

from __future__ import annotations

import random
import re

from sandbox import ToolSpec
from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.counted_items import paired
from toolace_mt.generation.language.env_words import (
    base_key,
    enum_values,
    enum_words,
    said_enum,
    situation_people,
    spoken_names,
)
from toolace_mt.generation.language.named_records import titled
from toolace_mt.generation.language.value_phrases import FormCount
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.user_language import echoed_run

# How often a request is worded from the tool's own phrasing hints (the rest from a lead
# and a task phrase): the hints read best, but each tool has only a few of them.
HINT_SHARE = 0.6

CONTEXT_SHARE = 0.6

_GREETING = re.compile(r"(?:hi|hello|hey)\b", re.I)


def request_text(bench: Workbench, segment: Segment, turn: Turn, before: Turn | None = None) -> str:
    """The sub-task's opening message: what is asked, the target call's values, the values
    only lookups need ("you can find me with ..."), maybe a line of the user's situation.
    `before`: the dialogue's turn before it (after a no, the user does not cheer)."""
    rng = random.Random(turn.seed)
    form = FormCount()  # the turn's "the <label> is <value>" clauses: a person's, not a form's
    enums = enum_words(bench)
    stated = {k: said_enum(v, enums, enum_values(bench)) for k, v in segment.stated.items()}
    hidden = turn.topic.get("hidden")  # clarification: a value the user leaves out
    if hidden:
        stated.pop(hidden, None)
    for param, wrong in (turn.topic.get("wrong") or {}).items():
        stated[param] = wrong  # error simulation: the user gives a wrong value first
    # The same look-up of other entities (parallel calls) is asked apart: "And the same for #W1002."
    also = {_key(v) for c in segment.target_calls()[1:] for v in c.arguments.values()}
    also_keys = {k for k, v in segment.stated.items() if _key(v) in also}
    others = [v for k, v in stated.items() if k in also_keys]
    stated = {k: v for k, v in stated.items() if k not in also_keys}
    tool = bench.tools[segment.target]
    phrased, covered = "", set()
    internal = turn.topic.get("internal") or {}
    if internal:  # an internal tool: the user asks in their own words, the assistant writes its input
        phrased = w.internal_request(rng, internal)
    hints = [p for p in tool.phrasing if not _form_hint(p)]
    typed = {k: v if k in (turn.topic.get("wrong") or {}) else w.said_date(v) for k, v in stated.items()}
    # a hint that copies a description is the spec's sentence, not a person's
    options = [filled for filled in (w.fill_phrasing(p, typed) for p in hints)
               if filled and echoed_run(filled[0], bench.described_runs) is None]
    if not phrased:
        phrased, covered = _phrase(bench, tool, stated, options, rng)
        if echoed_run(phrased, bench.described_runs) is not None:
            # its words are the tool list's ("send a draft claim for me", "change the shipping
            # address of my order"): drawn again, from a stream of its own
            redrawn = random.Random(rng.randrange(2**31))
            phrased, covered = next((p for p in (_phrase(bench, tool, stated, options, redrawn) for _ in range(8))
                                     if echoed_run(p[0], bench.described_runs) is None), (phrased, covered))
    phrased, chose = _chosen_verb(tool, phrased, stated)
    covered = covered | chose
    own = {_key(said_enum(v, enums)) for c in segment.target_calls()[:1] for v in c.arguments.values()}
    wrong_keys = set(turn.topic.get("wrong") or {})
    rest = [(k, v) for k, v in stated.items() if k not in covered]
    mine = [(k, v) for k, v in rest if _key(v) in own or k in wrong_keys or k == hidden]
    names = spoken_names(bench)
    lookups = [(names.get(base_key(k), base_key(k)), v) for k, v in rest if (k, v) not in mine]
    party = _other_party(tool.name)
    pairs = [(f"{party}_{base_key(k)}" if party and base_key(k) in _PERSONAL else base_key(k), v) for k, v in mine]
    rng.shuffle(pairs)
    flags = flag_sentences(tool, pairs, rng)
    pairs = paired([(names.get(k, k), v if k in wrong_keys else w.said_date(v)) for k, v in pairs if k not in flags])
    changes = tool.writes and w.snake(tool.name).split("_")[0] in w.CHANGE_VERBS  # "the new seat", not a new order's
    clauses = w.value_sentences(rng, pairs, chosen=tool.writes, form=form, changes=changes) + list(flags.values())
    rng.shuffle(clauses)
    if others:  # after the target's own values: "... is #W1184. And the same for #W1218."
        clauses.append(w.same_for(rng, [w.said_date(v) for v in others]))  # "July 24, 2026", never "2026-07-24"
    if lookups:
        taken = {names.get(base_key(k), base_key(k)) for k, _ in mine} \
            | {names.get(base_key(k), base_key(k)) for k in covered}
        named: list[tuple[str, object]] = []
        identity = bench.values.identity_values() if bench.env.user_table is not None else None
        own: list[bool] = []  # a user's detail (values' plan), not what a search looks for
        for param, value in lookups:
            own.append(identity is None or _key(value) in identity)
            value = w.said_date(value)
            said = f"current {param}" if param in taken else param
            named.append((f"other {said}" if any(p == said for p, _ in named) else said, value))
        if len(named) > 1 and rng.random() < 0.3:
            found = w.value_sentences(rng, named, form=form)
        else:
            found = _lookup_sentences(rng, named, own)
        at = rng.randrange(len(clauses) + 1)
        clauses[at:at] = found
    people = situation_people(bench, rng)
    persona = str(turn.topic.get("persona") or "")
    people = w.People(people.name, people.name2, persona, people.city, people.company)
    # A request that names the user, or whose user is not known yet, is not signed.
    named = any("name" in k for k in segment.stated) or not persona
    after_no = said_no(before) if before is not None and before.role == "assistant" and before.text else None
    lead = w.follow_up(rng, after_no=after_no) if turn.topic.get("follow_up") else w.opener(rng)
    if _GREETING.match(phrased) and not turn.topic.get("follow_up"):
        lead = ""  # the hint greets already ("Hi, my email is ...")
    if lead and lead[-1] not in ".!?" and not re.match(r"I\b", phrased):
        phrased = phrased[0].lower() + phrased[1:]
    if phrased and not re.search(r"[.!?][\"']?$", phrased):  # a hint ending in its value ("Let me think: {thought}")
        phrased += "."
    context = w.context(rng, people) if rng.random() < CONTEXT_SHARE else ""
    if context and rng.random() < 0.5 and (not lead or lead[-1] in ".!?"):
        return w.join(lead, context, phrased[0].upper() + phrased[1:], *clauses, w.closer(rng, people, sign=not named))
    return w.join(lead, phrased, *clauses, context, w.closer(rng, people, sign=not named))

def _phrase(bench: Workbench, tool: ToolSpec, stated: dict[str, object], options: list[tuple[str, set[str]]],
            rng: random.Random) -> tuple[str, set[str]]:
    """What the request asks for, and the stated values it says: a phrasing hint's words,
    the description's (never the name's when hints speak for it), else the name's."""
    hints = [p for p in tool.phrasing if not _form_hint(p)]
    phrased, covered = "", set()
    if options and rng.random() < HINT_SHARE:
        phrased, covered = rng.choice(options)
    elif tl.description(tool) and (not hints or not w.speaks(tool.name)):  # from the description, never the name
        table = bench.env.user_table
        noun = table[:-1] if table and table.endswith("s") and not table.endswith("ss") else table
        phrased, covered = tl.request(tool, stated, rng, noun)
        if not phrased and options:  # a description that names no thing to ask for ("Pay what is still owed")
            phrased, covered = rng.choice(options)
    if not phrased:
        ref = w.referent(tool.name)
        value = stated.get(ref) if ref in tool.parameters.get("properties", {}) else None
        if isinstance(value, str) and rng.random() < 0.7:  # "Could you cancel order #W1001?"
            said = f'"{value}"' if titled(value) else value  # 'hold "Ameliorated asynchronous middleware"'
            phrased, covered = w.ask_sentence(rng, tool.name, said), {ref}
        else:
            phrased = w.ask_sentence(rng, tool.name)
    return phrased, covered


def _lookup_sentences(rng: random.Random, named: list[tuple[str, object]], own: list[bool]) -> list[str]:
    """How to find the user, and apart from it how to find the thing: a look-up's value that
    is no user's detail (a search's city, a title) is never said as "Identify me by city
    Springfield" (in an env without users, every value counts as the user's, as before)."""
    mine = [pair for pair, is_own in zip(named, own, strict=True) if is_own]
    others = [pair for pair, is_own in zip(named, own, strict=True) if not is_own]
    if mine and others:
        return [s for s in (w.lookup_sentence(rng, mine), w.lookup_sentence(rng, others, own=False)) if s]
    return [w.lookup_sentence(rng, named, own=None if mine else False)]


def _chosen_verb(tool: ToolSpec, phrased: str, stated: dict[str, object]) -> tuple[str, set[str]]:
    """A request worded with one of a choice's verbs ("Approve a report ..., or return it":
    "could you approve a report?") said with the verb the user chose (decision "return":
    "could you return a report?"), which then states that value; never "approve ... Could you
    make the decision return?"."""
    properties = tool.parameters.get("properties", {})
    for param, value in stated.items():
        schema = properties.get(param)
        options = schema.get("enum") if isinstance(schema, dict) else None
        if not isinstance(value, str) or not isinstance(options, list) or not re.fullmatch(r"[a-z]+", value):
            continue
        if value in options and re.search(rf"\b{value}\b", phrased, re.I):  # "approve a report" says it already
            return phrased, {param}
        for other in options:
            if isinstance(other, str) and other != value and re.fullmatch(r"[a-z]+", other):
                said = re.search(rf"\b{other}\b", phrased, re.I)
                if said is not None:
                    word = value.capitalize() if said.group(0)[0].isupper() else value
                    return phrased[:said.start()] + word + phrased[said.end():], {param}
    return phrased, set()


_PERSONAL = ("name", "email", "phone", "phone_number", "address")


def _form_hint(template: str) -> bool:
    """A phrasing hint that reads like a form: a placeholder of a value that is no id right
    after its own label following a colon or a parenthesis ("...: mode {mode}.",
    "(temperature {temperature})"). Such hints (spec compilers write them) are not used."""
    for name in re.findall(r"\{(\w+)\}", template):
        if name.endswith(("_id", "_ids", "Id")) or name == "id":
            continue
        said = re.escape(w.label(name))
        if re.search(rf"[:(]\s*(?:the\s+)?{said}\s+\{{{name}\}}", template, re.I):
            return True
        if re.search(rf"\b{said}\s*:\s*\{{{name}\}}", template, re.I):  # "..., reason: {reason}."
            return True
    return False


def flag_sentences(tool: ToolSpec, pairs: list[tuple[str, object]], rng: random.Random) -> dict[str, str]:
    """Yes/no values said as the wish their parameter's description states ("Please
    activate the cruise control."), not as a flag's name ("leave activate off")."""
    properties = tool.parameters.get("properties", {})
    said = {}
    for key, value in pairs:
        schema = properties.get(key)
        if re.match(r"(?:include|show|exclude|hide)_[a-z]", key):
            continue  # "include_past": "Leave out the past ones", not its description's "events that have ..."
        if isinstance(value, bool) and isinstance(schema, dict):
            sentence = w.flag_sentence(rng, str(schema.get("description") or ""), value)
            if sentence:
                said[key] = sentence
    return said


def _other_party(tool: str) -> str | None:
    """The other party a tool adds or writes to (`add_payee` -> "payee"), whose name or email
    the user states as theirs, not as their own."""
    party = tool.split("_")[-1].removesuffix("s")
    return party if party in w.OTHER_PARTIES else None

# How an assistant text says no: a refusal, an error, nothing found.
_NO = re.compile(r"\b(?:can(?:no|')t|cannot|unable to|not able to|outside (?:of )?what I can|beyond what I can|"
                 r"not something I can|(?:didn't|did not|couldn't|could not) find|came back empty|"
                 r"no (?:results|matches)|"
                 r"nothing (?:matching|came up|turned up)|I'm sorry|sorry, but)\b", re.I)


def said_no(before: Turn | None) -> bool:
    """Whether the turn before said no (refused, failed, found nothing): the user's next
    words take it as a no ("Okay."), never cheer it ("Fantastic.")."""
    if before is None or before.role != "assistant":
        return False
    return before.kind in ("refusal", "error_reply") or bool(_NO.search(before.text or ""))


def turn_before(draft: Draft | None, segment: Segment, turn: Turn) -> Turn | None:
    """The dialogue's turn just before `turn` (of the draft when given, else of its sub-task)."""
    turns = [t for each in draft.segments for t in each.turns] if draft is not None else segment.turns
    at = next((i for i, t in enumerate(turns) if t is turn), None)
    return turns[at - 1] if at else None
