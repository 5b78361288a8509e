"""The offline backend's language: the user's requests and the assistant's text turns,
from templates (`wording`), the envs' phrasing hints and Faker, seeded per turn so that
a turn is worded the same way each time it is asked for."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import own_record, speech
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.assistant_phrases import FIRST_LEADS, ask_templates
from toolace_mt.generation.language.confirm_wording import confirm_text
from toolace_mt.generation.language.value_phrases import FormCount
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import leaves
from toolace_mt.verifier.user_language import echoed_run

# How often a request is worded from the tool's own phrasing hints (the rest from a lead
# and a task phrase): the hints read best, but each tool has only a few of them.
HINT_SHARE = 0.6
CONTEXT_SHARE = 0.6
_GREETING = re.compile(r"(?:hi|hello|hey)\b", re.I)
REDRAWS = 6  # wordings tried before a repeated assistant text is made new by a closing sentence


def request_text(bench: Workbench, segment: Segment, turn: Turn, before: Turn | None = None) -> str:
    """The sub-task's opening message: what is asked, the target call's values, the values
    only lookups need ("you can find me with ..."), maybe a line of the user's situation.
    `before`: the dialogue's turn before it (after a no, the user does not cheer)."""
    rng = random.Random(turn.seed)
    form = FormCount()  # the turn's "the <label> is <value>" clauses: a person's, not a form's
    enums = _enum_words(bench)
    stated = {k: _said_enum(v, enums, _enum_values(bench)) for k, v in segment.stated.items()}
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
    if phrased:
        pass
    elif options and rng.random() < HINT_SHARE:
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
            phrased, covered = w.ask_sentence(rng, tool.name, value), {ref}
        else:
            phrased = w.ask_sentence(rng, tool.name)
    own = {_key(_said_enum(v, enums)) for c in segment.target_calls()[:1] for v in c.arguments.values()}
    wrong_keys = set(turn.topic.get("wrong") or {})
    rest = [(k, v) for k, v in stated.items() if k not in covered]
    mine = [(k, v) for k, v in rest if _key(v) in own or k in wrong_keys or k == hidden]
    names = _spoken_names(bench)
    lookups = [(names.get(_base(k), _base(k)), v) for k, v in rest if (k, v) not in mine]
    party = _other_party(tool.name)
    pairs = [(f"{party}_{_base(k)}" if party and _base(k) in _PERSONAL else _base(k), v) for k, v in mine]
    rng.shuffle(pairs)
    flags = _flag_sentences(tool, pairs, rng)
    pairs = [(names.get(k, k), v if k in wrong_keys else w.said_date(v)) for k, v in pairs if k not in flags]
    changes = tool.writes and w.snake(tool.name).split("_")[0] in w.CHANGE_VERBS  # "the new seat", not a new order's
    clauses = w.value_sentences(rng, pairs, chosen=tool.writes, form=form, changes=changes) + list(flags.values())
    rng.shuffle(clauses)
    if others:  # after the target's own values: "... is #W1184. And the same for #W1218."
        clauses.append(w.same_for(rng, [w.said_date(v) for v in others]))  # "July 24, 2026", never "2026-07-24"
    if lookups:
        taken = {names.get(_base(k), _base(k)) for k, _ in mine} | {names.get(_base(k), _base(k)) for k in covered}
        named: list[tuple[str, object]] = []
        for param, value in lookups:
            value = w.said_date(value)
            said = f"current {param}" if param in taken else param
            named.append((f"other {said}" if any(p == said for p, _ in named) else said, value))
        if len(named) > 1 and rng.random() < 0.3:
            found = w.value_sentences(rng, named, form=form)
        else:
            found = [w.lookup_sentence(rng, named)]
        at = rng.randrange(len(clauses) + 1)
        clauses[at:at] = found
    people = _people(bench, rng)
    persona = str(turn.topic.get("persona") or "")
    people = w.People(people.name, people.name2, persona, people.city, people.company)
    # A request that names the user, or whose user is not known yet, is not signed.
    named = any("name" in k for k in segment.stated) or not persona
    after_no = _said_no(before) if before is not None and before.role == "assistant" and before.text else None
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
    return False


def _flag_sentences(tool: ToolSpec, pairs: list[tuple[str, object]], rng: random.Random) -> dict[str, str]:
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


def _enum_words(bench: Workbench) -> frozenset[str]:
    """The env's snake_case enum values (`no_longer_needed`): a user says them in words,
    which grounding accepts for an enum value of the schema."""
    found = set()
    for tool in bench.tools.values():
        for schema in tool.parameters.get("properties", {}).values():
            items = schema.get("items") if isinstance(schema, dict) else None
            for value in [*((schema.get("enum") or []) if isinstance(schema, dict) else []),
                          *((items.get("enum") or []) if isinstance(items, dict) else [])]:
                if isinstance(value, str) and ("_" in value or "-" in value) \
                        and value.replace("_", "").replace("-", "").isalpha() and value.islower():
                    found.add(value)
    return frozenset(found)


def _said_enum(value: object, enums: frozenset[str], choices: frozenset[str] = frozenset()) -> object:
    """An enum value (or a list of them: doors ["rear_right"]) in words: "rear right"; any
    other enum value (`choices`: "ordered by mistake") is a choice too, never a quoted memo."""
    if isinstance(value, list):
        return [_said_enum(v, enums, choices) for v in value]
    if isinstance(value, str) and value in enums:
        return w.EnumWords(speech.natural(value))
    return w.EnumWords(value) if isinstance(value, str) and value in choices else value


def _enum_values(bench: Workbench) -> frozenset[str]:
    """Every string enum value of the env's tools."""
    return frozenset(v for tool in bench.tools.values() for schema in tool.parameters.get("properties", {}).values()
                     if isinstance(schema, dict) for v in (schema.get("enum") or []) if isinstance(v, str))


def _people(bench: Workbench, rng: random.Random) -> w.People:
    """Names, a city and a company for the user's situation, from Faker seeded by the turn."""
    fake = bench.values.fake
    fake.seed_instance(rng.randrange(2**31))
    return w.People(fake.first_name(), fake.first_name(), fake.first_name(), fake.city(), fake.company())


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
        return request_text(bench, segment, turn, _turn_before(draft, segment, turn))
    if turn.kind == "reply":
        tool = bench.tools[segment.target]
        enables = any(tool.name in writes for writes in bench.preconditions.enabled_by.values())
        return reply_text(segment, turn, rng, _focus(segment, draft), _spoken_names(bench),
                          user_key=bench.values.user_key, sign_in=own_record.signs_in(tool, enables),
                          references=_references(bench))
    if turn.kind == "ask":
        return ask_text(rng, _spoken_key(bench, topic["param"]))
    if turn.kind == "correction" and topic.get("respelt"):  # a search word that found nothing
        return w.respelt(rng, topic["value"])
    if turn.kind in ("answer", "correction"):
        flag = _flag_sentences(bench.tools[segment.target], [(_said_key(topic["param"]), topic["value"])], rng)
        if flag and turn.kind == "answer":
            return next(iter(flag.values()))
        # A person's name the call looks up is the user's own only when it finds their record
        # ("my name is Terry Guzman" to search customers is someone else's name said as theirs).
        theirs = not own_record.name_key(_said_key(topic["param"])) or \
            own_record.is_own(segment.target_output(), bench.values.user_key)
        return w.answer(rng, _spoken_key(bench, topic["param"]), _said_enum(topic["value"], _enum_words(bench),
                                                                   _enum_values(bench)),
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
        label = w.label(_spoken_key(bench, param)).removeprefix("my ")
        if topic.get("together"):  # the error names several fields: which was wrong is not known
            label = w.list_words([w.label(_spoken_key(bench, p)).removeprefix("my ") for p in topic["together"]])
            wrong = None
        said = speech.plain_error(error, label, wrong) if "found_nothing" not in topic else \
            f"I couldn't find anything matching {speech.natural(wrong)}."
        label = "spelling" if "found_nothing" in topic else label  # "Could you check the spelling?"
        return rng.choice(w.ERROR_REPLIES).format(error=said[0].upper() + said[1:], error_l=said, label=label)
    if turn.kind == "refusal":
        request = speech.yours(topic["request"])
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
        before = _turn_before(draft, segment, turn)
        if before is None and turn not in segment.turns and segment.turns:
            before = segment.turns[-1]  # a chat worded before it is added: it goes after the segment's last turn
        if _said_no(before):  # not "that's a relief" to a no
            return rng.choice(w.CHAT_AFTER_NO)
        return w.chat(rng, _people(bench, rng))
    if turn.kind == "chat_reply":
        # The fact as the target's output shows it now: a later edit may have re-executed
        # the sub-task on another state since the question was planted.
        source = topic.get("source")  # the earlier sub-task whose reply told it
        output = (draft.segments[source] if isinstance(source, int) and 0 <= source < len(draft.segments)
                  else segment).target_output()
        value = output.get(topic["recall"]) if "recall" in topic and isinstance(output, dict) \
            and not tl.is_secret(str(topic["recall"])) else None  # a credential is never said back
        if not w.empty(value):
            told = speech.clause(topic["recall"], value)
            return rng.choice([told[0].upper() + told[1:] + ".", f"Sure: {told}.", f"Of course, {told}."])
        asked = next((t.text or "" for t in reversed(segment.turns[:segment.turns.index(turn)])
                      if t.role == "user"), "") if turn in segment.turns else ""
        if asked.strip() in w.CHAT_AFTER_NO:  # the user let go of what could not be done
            return rng.choice(w.CHAT_REPLY_AFTER_NO)
        return rng.choice(w.CHAT_REPLY_QUESTION if asked.rstrip().endswith("?") else w.CHAT_REPLY)
    return turn.text or ""


# How the assistant asks for a relation's value, by its preposition ("Which account should it come from?").
RELATION_VERBS = {"from": "come from", "to": "go to", "into": "go into", "onto": "go onto", "towards": "go towards"}


def ask_text(rng: random.Random, param: str) -> str:
    """The assistant's question for a value the user left out: "Could you tell me the zip
    code?"; a relation parameter by what it relates ("Which account should it come from?")."""
    related = w.relation(param)
    if related is None:
        return rng.choice(ask_templates(w.label(param))).format(label=w.label(param))
    prep, noun = related
    if noun:
        question = f"Which {noun} should it {RELATION_VERBS.get(prep, f'be {prep}')}?"
    else:  # a date: "from_date", "to_date"
        question = f"What date should it {({'from': 'start from', 'to': 'run until'}).get(prep, f'be {prep}')}?"
    return rng.choice(["Sure, I can help with that. {q}", "Happy to help. {q}", "I can do that. {q}",
                       "Before I go ahead, one question. {q}"]).format(q=question)


# How an assistant text says no: a refusal, an error, nothing found.
_NO = re.compile(r"\b(?:can(?:no|')t|cannot|unable to|not able to|outside (?:of )?what I can|beyond what I can|"
                 r"not something I can|(?:didn't|did not|couldn't|could not) find|came back empty|"
                 r"no (?:results|matches)|"
                 r"nothing (?:matching|came up|turned up)|I'm sorry|sorry, but)\b", re.I)


def _said_no(before: Turn | None) -> bool:
    """Whether the turn before said no (refused, failed, found nothing): the user's next
    words take it as a no ("Okay."), never cheer it ("Fantastic.")."""
    if before is None or before.role != "assistant":
        return False
    return before.kind in ("refusal", "error_reply") or bool(_NO.search(before.text or ""))


def _turn_before(draft: Draft | None, segment: Segment, turn: Turn) -> Turn | None:
    """The dialogue's turn just before `turn` (of the draft when given, else of its sub-task)."""
    turns = [t for each in draft.segments for t in each.turns] if draft is not None else segment.turns
    at = next((i for i, t in enumerate(turns) if t is turn), None)
    return turns[at - 1] if at else None


def _focus(segment: Segment, draft: Draft | None) -> speech.Focus:
    """What the sub-task's reply tells first: the fields the user's words in it name, then
    values no output before its target call showed."""
    words = {x for t in segment.turns if t.role == "user" for x in re.findall(r"[a-z]{4,}", (t.text or "").lower())}
    target = segment.target_calls()[:1]
    shown: set[str] = set()
    segments = [*(draft.segments if draft is not None and segment in draft.segments else []), segment]
    for each in segments:
        for t in each.turns:
            if target and any(c is target[0] for c in t.calls):
                return speech.Focus(words, shown)
            shown |= {str(v) for c in t.calls if _succeeded(c) and c.result is not None
                      for v in leaves(c.result.result)}
    return speech.Focus(words, shown)


def reply_text(segment: Segment, turn: Turn, rng: random.Random, focus: speech.Focus | None = None,
               names: dict[str, str] | None = None, user_key: str | None = None, sign_in: bool = False,
               references: frozenset[str] = frozenset()) -> str:
    """The sub-task's closing reply, in prose: what a write did, or what was asked of a
    look-up (the facts its name asks about first, a list by its entries). `names`: what a
    person calls awkwardly named parameters (`num_days`), which outputs echo as fields.
    The user's own record (by `user_key`) is not read their own name; a sign-in greets them.
    `references`: the env's parameter names, the keys a create's new record is told by."""
    target, *siblings = segment.target_calls() or [None]
    if target is None or target.result is None:
        return "I've looked into it."
    if not target.result.ok:
        message = (target.result.error.message if target.result.error else "").strip()
        return "I'm sorry, I couldn't do that: " + speech.plain_error(message, "details", None)
    writes = bool(turn.topic.get("writes"))
    past = w.past_tense(segment.target) if writes else None  # only writes do things
    output = target.result.result
    if sign_in and writes and not siblings:  # "You're signed in, Miranda.", not their name and username read out
        left = own_record.rest_of_sign_in(output, target.arguments)
        rest = speech.summary(left, segment.target, rng, focus=focus) if left else ""
        return w.join(rng.choice(w.REPLY_OPENERS), own_record.signed_in_line(output, past, rng), rest)
    if own_record.is_own(output, user_key):  # their own profile: what it holds beside their name
        said = {str(v) for v in segment.stated.values()}  # "find me by first name Collin" asks no name
        output = own_record.without_names(output, {k for k, v in output.items() if focus is not None
                                                   and focus.asked(k) and str(v) not in said})
    claim, claimed = (_claim(segment.target, past, target) if past and _succeeded(target) else ("", set()))
    # After a write, the user's own id on what it made is no news ("the employee ID is E4012")
    own_id = {str(output[user_key])} if writes and user_key and isinstance(output, dict) \
        and isinstance(output.get(user_key), str | int) else set()
    facts = speech.summary(_renamed(output, names or {}), segment.target, rng,
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
        first = speech.natural(next(iter(target.arguments.values())))  # "out for delivery", never the raw value
        facts = w.join(rng.choice(FIRST_LEADS).format(value=first), facts)
    for sibling in siblings:  # the same look-up of another entity, told after
        if sibling.result is not None and sibling.result.ok:
            told = speech.summary(_renamed(sibling.result.result, names or {}), segment.target, rng,
                                  known=_known(segment, sibling, False),
                                  focus=focus)
            if told:
                value = speech.natural(next(iter(sibling.arguments.values())))
                facts = w.join(facts, rng.choice(w.SIBLING_LEADS).format(value=value), told)
    said_by_output = [v for v in leaves(target.result.result) if isinstance(v, str) and len(v.split()) >= 3]
    if claim and past and any(re.search(rf"\b{re.escape(past.split()[0])}\b", v, re.I) and v in facts
                              for v in said_by_output) and not claimed - {str(v) for v in target.arguments.values()}:
        claim = ""  # the output says it in its own words ("Message sent to USR006 successfully.")
    return w.join(rng.choice(w.REPLY_OPENERS if claim or writes else w.READ_OPENERS), claim, facts)


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


def _headed(call: Call, focus: speech.Focus | None) -> str:
    """A looked-up record, led by the value it was looked up by: "FLI-1007: cancelled"."""
    output = call.result.result if call.result is not None else None
    value = next((v for v in call.arguments.values() if isinstance(v, str | int) and not isinstance(v, bool)), None)
    if value is None or not isinstance(output, dict):
        return speech.describe_item(output, focus)
    rest = {k: v for k, v in output.items() if str(v) != str(value)}
    said = f"{speech.natural(value)}: {speech.describe_item(rest, focus)}"  # "August 5, 2026", "conference fees"
    listed = next((items for items in map(speech.entries, rest.values()) if items and isinstance(items[0], dict)), [])
    if listed:  # a record of entries (a product's variants): the first few, by their details
        said += " - " + "; ".join(speech.describe_item(item, focus) for item in listed[:3]) \
            + ("; and more" if len(listed) > 3 else "")
    text = _new_text(rest, said, focus)
    return f'{said}, saying "{text}"' if text else said


QUOTED_TEXT = 160  # characters of a record's text a line quotes (its first sentences)


def _new_text(output: dict[str, Any], said: str, focus: speech.Focus | None) -> str | None:
    """A record's text (a message's body) to quote when the line tells nothing else new: a
    look-up after a search that showed the rest is made for what only it holds."""
    if focus is None or not focus.shown or any(str(v) in said for v in output.values()
                                               if isinstance(v, str | int | float) and str(v) not in focus.shown):
        return None
    text = next((v.strip() for k, v in output.items() if k in speech.CONTENT and isinstance(v, str)
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


# Verbs of a write that moves money: its amount is part of what was done ("I've paid ... $25.00").
_MONEY_VERBS = frozenset({"pay", "transfer", "send", "refund", "deposit", "withdraw", "charge", "donate", "tip",
                          "top", "fund", "move"})


def _claim(tool: str, past: str, call: Call) -> tuple[str, set[str]]:
    """What a write did, as one sentence, and the values it says: "I've paid payee PAY-5029
    (Jack Zimmerman MD) $679.54 from account ACC-10042.", "I've transferred $370.27 from
    account ACC-10073 to account ACC-10074."."""
    ref = w.referent_argument(tool, call.arguments)
    value = call.arguments.get(ref) if ref else None
    named = ref is not None and isinstance(value, str | int) and not isinstance(value, bool)
    thing = "" if not named or ref is None else w.label(ref).removesuffix(" ID") \
        if w.id_key(ref) else w.label(ref).rsplit(" ", 1)[0]  # "flight number" FLI-1: "flight FLI-1"
    output = call.result.result if call.result is not None else None
    said: set[str] = set()
    head = f"I've {past}"
    if thing:
        head += f" {thing} {value}"
        said.add(str(value))
        name = _name_of(output, ref or "", value)
        if name:
            head += f" ({name})"
            said.add(name)
    arguments = tl.without_secrets(call.arguments)
    money = [(k, v) for k, v in arguments.items() if speech.is_money(k, v)]
    extras = []
    if len(money) == 1 and w.snake(tool).split("_")[0] in _MONEY_VERBS:
        extras.append(speech.natural(money[0][1], money[0][0]))
        said.add(str(money[0][1]))
    for key, item in arguments.items():
        phrase = w.relation_phrase(key, speech.natural(item, key)) \
            if key != ref and not isinstance(item, bool | list | dict) and not w.empty(item) else None
        if phrase:
            extras.append(phrase)
            said.add(str(item))
    if not thing and not extras and past.split()[-1] not in w.PARTICLES:  # "I've logged out", not "... out it"
        head += " it"
    return " ".join([head, *extras]) + ".", said


def _name_of(output: object, ref: str, value: object) -> str | None:
    """The name an output gives the thing a write acted on: `payee_name` for payee_id, or
    the record's own name when the output is that record."""
    if not isinstance(output, dict) or not ref.endswith("_id"):
        return None
    thing = ref[:-3]
    keys = [f"{thing}_name", f"{thing}_title"] + (["name", "title", "full_name"] if output.get(ref) == value else [])
    return next((str(output[k]).strip() for k in keys if isinstance(output.get(k), str) and output[k].strip()
                 and len(output[k]) <= 60), None)


def _spoken_names(bench: Workbench) -> dict[str, str]:
    """What a person calls the env's parameters whose names are awkward (`num_days`:
    "number of days"), from their descriptions; a search's words and counts are said their
    own way (value_phrases.SPOKEN)."""
    return tl.spoken_names(bench.tools.values(), keep=w.SPOKEN)


def _references(bench: Workbench) -> frozenset[str]:
    """The names the env's tools take as parameters: a field of that name keys a record."""
    return frozenset(p for tool in bench.tools.values() for p in tool.parameters.get("properties", {}))


def _spoken_key(bench: Workbench, key: str) -> str:
    """A stated value's key as said: its parameter, by the name a person has for it."""
    said = _said_key(key)
    return _spoken_names(bench).get(said, said)


def _said_key(key: str) -> str:
    """A stated value's key as said: "zip for find user ID by name zip" -> "zip" (a tool's
    name is never said)."""
    return key.split(" for ")[0]


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


def _base(key: str) -> str:
    """The parameter a stated value is for: "zip_code for find customer" -> "zip_code"."""
    return key.split(" for ")[0].removeprefix("other ")


def _succeeded(call: Call) -> bool:
    return call.result is not None and call.result.ok
