"""How the offline assistant tells a tool output: in prose (not `key: value` dumps),
the asked facts first, a write's made key and set values, a list by its entries, at most
two unasked facts. The parts: spoken_values (one value), field_clauses (one field),
flag_wording (yes/no fields), record_facts (what can be told), record_listing (lists),
reply_focus (what comes first)."""

from __future__ import annotations

import random
import re
from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.field_clauses import TRAILING_WORDS, clause, merged_relations
from toolace_mt.generation.language.flag_wording import yes_no
from toolace_mt.generation.language.labels import id_key
from toolace_mt.generation.language.record_facts import CONTENT, NAME_FIELDS, facts_of, is_sentence, tellable
from toolace_mt.generation.language.record_listing import describe_item, entries, grouped, listing
from toolace_mt.generation.language.record_parts import merged
from toolace_mt.generation.language.reply_focus import HEADLINE, Focus, asked_first, stems
from toolace_mt.generation.language.spoken_values import ISO_DATE, is_money, moved_money, natural
from toolace_mt.verifier.evidence import is_identifier
from toolace_mt.verifier.id_fields import key_stem

NOTHING_MORE = "There's nothing more on file."
# A write's output that only says it worked ("Message sent to 'USR009' successfully.").
_SUCCESS = re.compile(r"\bsuccess(?:ful|fully)?\b", re.I)


def prose(facts: list[tuple[str, Any]], rng: random.Random) -> str:
    """Facts as one or two sentences: "The status is pending, the total is $1,108.90 and ..."."""
    # a name or title is no sentence, however it reads ("Receive policy could" is a class's name)
    said = [str(v) if str(v).endswith((".", "!", "?")) else f"{v}." for k, v in facts
            if is_sentence(v) and k not in NAME_FIELDS]
    facts = [(k, v) for k, v in facts if not is_sentence(v) or k in NAME_FIELDS]
    if not facts:
        return " ".join(said)
    parts = merged_relations([clause(k, v) for k, v in facts])
    if len(parts) == 1:
        body = parts[0]
    else:
        body = ", ".join(parts[:-1]) + " and " + parts[-1]
    lead = rng.choice(["", "", "", "As for the details, ", "In short, ", "According to the record, ",
                       "On file, ", "It shows that "])
    sentence = lead + body
    sentence = sentence[0].upper() + sentence[1:] + ("" if sentence.endswith((".", "!", "?")) else ".")
    return " ".join([*said, sentence])

# Writes that make a record: the new record's ids (a booking reference) are news.
_CREATING = frozenset({"create", "add", "book", "place", "open", "submit", "make", "file", "register", "schedule",
                       "request", "send", "transfer", "pay", "report", "issue", "new", "post", "start", "reserve"})


def _idish(key: str) -> bool:
    """A key by its name: an `*_id`, or a record's number, code or ref (`policy_number`,
    `session_ref`) as the verifier reads them; not a phone number or a zip code."""
    return key_stem(key) is not None  # (every `id_key` has an id stem too: "id" -> "", "orderId" -> "order")


def summary(value: Any, tool: str, rng: random.Random, limit: int = 4,
            arguments: dict[str, Any] | None = None, known: set[str] | None = None,
            focus: Focus | None = None, references: frozenset[str] = frozenset()) -> str:
    """What an output tells, in prose: the asked facts first; for a write (`arguments`),
    the values it set first, and before them the key a create made (an id, or a field
    other tools take as a parameter, in `references`: `report_code`, `sku`); values the
    user `known`s already are not told back; with a focus, what the user's words ask about
    and what the dialogue has not shown yet first. A message's text is quoted."""
    if w.empty(value):
        return ""
    focus = focus or Focus()
    if arguments is not None:  # a write's reply tells what it did and made, not what the request's words name
        focus = Focus(shown=focus.shown)
    if isinstance(value, list):
        return listing(value, tool, rng, focus=focus)
    if isinstance(value, dict):  # "User Joy logged in successfully.": the reply says it in its own words
        value = {k: v for k, v in value.items() if not (isinstance(v, str) and _SUCCESS.search(v) and is_sentence(v))}
        if not value:
            return ""
    if isinstance(value, dict) and not arguments:
        value = _without_counts(value)
        if value is None:  # {"hotels": [], "total": 0}: nothing matched
            return rng.choice(w.NO_RESULTS)
    if isinstance(value, dict):
        content = next((k for k in CONTENT if isinstance(value.get(k), str) and len(value[k].split()) >= 4
                        and str(value[k]) not in focus.shown and not arguments), None)  # the text is the news
        if content is not None:
            rest = {k: v for k, v in value.items() if k != content}
            told = summary(rest, tool, rng, min(limit, 2), arguments, known, focus) if rest else ""
            if told in w.EMPTY_RESULTS or told == NOTHING_MORE:  # the text is all there is: no "nothing came back"
                told = ""
            text = str(value[content]).strip()
            return w.join(told, rng.choice(["It reads: \"{t}\"", "It says: \"{t}\"", "The text: \"{t}\""])
                          .format(t=text))
        nothing_new = not any(focus.rank(k, v) < 2 for k, v in facts_of(value))
        lists = [(k, entries(v)) for k, v in value.items() if entries(v) and not arguments
                 and (stems(k) & stems(tool) or focus.asked(k) or nothing_new or len(facts_of(value)) <= 2)]
        # What the user knows is not told back, unless it is all the output says (the id a
        # look-up by name found).
        facts = [(k, v) for k, v in facts_of(value) if str(v) not in (known or set())] or facts_of(value)
        counted = _counted_period(value, facts) if not arguments else ""
        if counted:
            return counted
        if not arguments and all(isinstance(v, int | float) and v in (0, 1) for _, v in facts):
            facts = facts_of(value)  # "1" alone says nothing: said with what it is of
        if arguments:  # the subject and text the user dictated are not read back to them
            dictated = {str(v) for v in arguments.values() if is_sentence(v)}
            facts = [(k, v) for k, v in facts if str(v) not in dictated] or facts
        if arguments:  # a value the write set that the output does not show is told too
            shown = {str(v) for _, v in facts} | (known or set())
            facts += [(k, v) for k, v in arguments.items() if tellable(k, v) and str(v) not in shown
                      and not is_sentence(v)]  # the text the user dictated is not read back to them
        # Another record's id (a checkout's patron, a hold's title) tells the user nothing by
        # itself: left out when anything else is said, unless asked about or new (a write's new id).
        given = {str(v) for v in (arguments or {}).values()}
        # a create by its verb, or by what it did: its output keys a record by a value the
        # write was not given and the user does not know (applyForPermit -> BP-2026-0172)
        # a write named for a field of the record it acts on (add_tip -> "tip") changed that
        # field: it made nothing, and the field is its news
        noun = w.snake(tool).split("_")[-1].removesuffix("s")
        named = {k for k in value if len(w.snake(tool).split("_")) > 1 and w.snake(k).removesuffix("s") == noun}
        # What a write made: for a create by its verb, the keys it shows that nobody gave nor
        # knew (a booking's id beside the flight booked); for any other write, its output's own
        # key only, when new (a cancelled fill's prescription and pharmacy ids were made by nobody)
        own = _own_key(value, tool, references)
        fresh = [k for k, v in facts if _made_key(k, v, references) and w.relation(k) is None
                 and str(v) not in given and str(v) not in (known or set())]
        by_verb = w.snake(tool).split("_")[0] in _CREATING
        # (one key: the one the tool's name says, else the first; a lost card's replacement card
        # id, not the account id beside it)
        named_fresh = [k for k in fresh if stems(k) & stems(tool)]
        # an add to a record it was given (add_checked_bags on booking BK-1) made no record: the
        # flight beside it is no new key
        keyed = [k for k in value if _idish(k)] if isinstance(value, dict) else []
        onto = bool(keyed) and not any(stems(k) & stems(tool) for k in keyed) \
            and any(str(value[k]) in given for k in keyed)
        made_keys = set(named_fresh or ([] if onto else fresh[:1])) if by_verb else {own} & set(fresh)
        # a write on the record it was given by its own key (submit_claim on claim CLM-1) made
        # nothing but what its verb makes (book_flight's booking): its policy number is no news
        verb = w.snake(tool).split("_")[0]
        named_given = [k for k in keyed if stems(k) & stems(tool) and str(value[k]) in given]
        if by_verb and named_given and len(verb) >= 3:
            made_keys = {k for k in made_keys if w.snake(k).startswith(verb[:4]) or k in named_fresh}
        creates = arguments is not None and not named and (by_verb or bool(made_keys))
        # ids are no answer: a reply tells what the record holds, by names and values; an id
        # only when asked, the key a create just made, or one a write set that its name says
        # (modify_pending_order_payment's payment method), never the record's own nor the
        # other records it points at (an id by its name: an email other tools take is told)
        plain = [kv for kv in facts if not _idish(kv[0]) or focus.asked(kv[0]) or (creates and kv[0] in made_keys)
                 or (arguments is not None and kv[0] != own and bool(stems(kv[0]) & stems(tool)))]
        facts = plain if any(not _idish(k) for k, _ in plain) else facts
        facts = sorted(asked_first(facts, tool), key=lambda kv: id_key(kv[0]) and not (
            stems(kv[0]) & stems(tool)))
        facts = sorted(facts, key=lambda kv: focus.rank(*kv))
        set_values = {str(v) for v in (arguments or {}).values()}
        made = creates and w.snake(tool).split("_")[0] in _CREATING  # a create by its verb: what it came to
        if arguments:  # the values it set, and before them the id a create made and what it came to
            facts = sorted(facts, key=lambda kv: (not (creates and _made_key(*kv, references)
                                                       and str(kv[1]) not in given), kv[0] not in named,
                                                  _outcome(*kv, set_values) if made or named else 2,
                                                  str(kv[1]) not in set_values))
        if arguments is not None:  # what the write did: the values it set, what it made, where the record
            # stands (status, money, due date); not the rest of the record ("the birth date is ..." after a
            # pharmacy change, "the fulfilment is pickup" after a move)
            # (a reference the user gave, the asset tag a replacement is for, is what it acted on: not
            # news; nor is an id it set, which the confirmation said: "the payment method ID is paypal_1")
            news = [kv for kv in facts if (str(kv[1]) in set_values and not id_key(kv[0]) and not (
                        not id_key(kv[0]) and _made_key(*kv, references) and not stems(kv[0]) & stems(tool)))
                    or kv[0] in named or moved_money(*kv) or (creates and kv[0] in made_keys)
                    or stems(kv[0]) & HEADLINE]
            # an id beside the record (the flight a booking is on) is no news of the write; one it made is
            news = [kv for kv in news if not _idish(kv[0]) or kv[0] in named or (creates and kv[0] in made_keys)]
            if not news and any(True for _ in facts):
                return ""
            facts = news
        ranked = merged(facts)
        facts = _few_unasked(ranked, focus, limit)
        if arguments is not None:  # money the write moved (a refund, a fee it charged) is told, whatever else is
            moved = [kv for kv in ranked if moved_money(*kv)][:UNASKED]
            facts = [kv for kv in facts if kv not in moved][:UNASKED - len(moved)] + moved if moved else facts
        said = prose(facts, rng)
        if lists:  # the list the tool is about (an order's items, a flight's seats)
            key, items = lists[0]
            # a line of text is quoted: "I have booked a table" read out is no claim of the assistant's
            named = "; ".join(f'"{i.strip()}"' if isinstance(i, str) and is_sentence(i) else describe_item(i, focus)
                              for i in items[:4]) + ("; and others" if len(items) > 4 else "")
            said = w.join(f"The {w.label(key).removeprefix('my ')}: {named}.", prose(facts[:2], rng))
        if not said:
            said = grouped(value)
        if not said:
            said = yes_no(value, lead=arguments is None)
        if not said and any(isinstance(v, list) and not v for v in value.values()):
            return rng.choice(w.NO_RESULTS)  # {"results": []}: nothing matched
        if not said:
            return NOTHING_MORE if value else rng.choice(w.EMPTY_RESULTS)
        return said
    shown = natural(value)
    if arguments is not None and isinstance(value, str) and _SUCCESS.search(value):
        return ""  # "Message sent to 'USR009' successfully.": the reply says what was done in its own words
    if isinstance(value, str) and " " in shown and shown[:1].isupper():  # a message: said as it is
        return shown if shown.endswith((".", "!", "?")) else shown + "."
    frame = rng.choice(["It came back with {v}.", "The answer is {v}.", "That gives {v}.", "It's {v}."])
    if shown.endswith((".", "!", "?")):
        frame = frame.replace("{v}.", "{v}")
    return frame.replace("{v}", shown)


def _counted_period(value: dict[str, Any], facts: list[tuple[str, Any]]) -> str:
    """A count over a period the user gave ({"start_date", "end_date", "workdays": 2}), said
    with its period: "There are 2 workdays from October 6, 2026 to October 7, 2026." ("" when
    the output is no such count)."""
    numbers = [(k, v) for k, v in facts if isinstance(v, int | float) and not isinstance(v, bool)]
    dates = sorted(str(v) for v in value.values() if isinstance(v, str) and ISO_DATE.fullmatch(v))
    if len(facts) != 1 or len(numbers) != 1 or len(dates) != 2:
        return ""
    first, last = natural(dates[0]), natural(dates[1])
    said = clause(*numbers[0]) + (f" on {first}" if first == last else f" from {first} to {last}")
    return said[0].upper() + said[1:] + "."

# Fields beside a list that count or page it ("total": 12, "next_offset": 20): the list tells them.
_COUNTS = frozenset({"total", "count", "size", "results", "hits", "found", "matches", "page", "pages", "offset",
                     "limit", "cursor", "next", "more"})


def _without_counts(value: dict[str, Any]) -> dict[str, Any] | None:
    """An output with a list field, without the numbers that count or page the list (not
    money: "total" 0 beside {"hotels": []} is no "$0.00"); None when its lists are all
    empty and nothing else is left to tell."""
    lists = [k for k, v in value.items() if isinstance(v, list)]
    if not lists:
        return value
    counts = {k for k, v in value.items() if k not in lists and (isinstance(v, int | float) or v is None
              or (isinstance(v, str) and not v.strip()) or isinstance(v, bool))
              and set(w.snake(k).split("_")) & _COUNTS}
    rest = {k: v for k, v in value.items() if k not in counts}
    if all(not value[k] for k in lists) and len(rest) == len(lists):
        return None
    return rest

# Fields told beside the asked ones: a reply answers, it does not read the record out.
UNASKED = 2


def _outcome(key: str, value: Any, set_values: set[str]) -> int:
    """How much a field says what a create came to that the user did not say: its money
    first ("the total is $98.97"), then its status; 2 for the rest (the payment method they
    chose, read back)."""
    if str(value) in set_values or not stems(key) & HEADLINE:
        return 2
    return 0 if is_money(key, value) else 1


def _made_key(key: str, value: Any, references: frozenset[str]) -> bool:
    """A field holding the key of a record: an id, or a reference other tools take (an
    identifier-like `report_code` ER-5075, a `line_no` 3)."""
    if id_key(key):
        return True
    if key not in references or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return w.label(key).split()[-1] == "number"
    return isinstance(value, str) and " " not in value.strip() and is_identifier(value.strip().lstrip("#"))


def _own_key(value: dict[str, Any], tool: str, references: frozenset[str]) -> str | None:
    """The field keying the record an output is: the key the tool's name names
    (`dispense_id` of cancel_medication_dispense, `permit_number` of applyForPermit), else
    its first field when that is a key; None when neither."""
    # (never a relation: a transfer's "from_account_id" keys the account it came from)
    keys = [k for k, v in value.items() if _made_key(k, v, references) and w.relation(k) is None]
    named = next((k for k in keys if stems(k) & stems(tool)), None)
    if named is not None:
        return named
    return keys[0] if keys and keys[0] == next(iter(value)) else None


def _few_unasked(facts: list[tuple[str, Any]], focus: Focus, limit: int) -> list[tuple[str, Any]]:
    """The asked facts (up to `limit`), then others (in their order) up to two facts in all,
    and one new fact at least when the asked ones were all shown before: the values a write
    set are the user's own, told back only as room allows; a field whose label ends in a
    preposition ("added by") only if asked."""
    # at most two "the <field> is" clauses: a third reads as a record read out field by field
    # (the request may be reworded after its reply was, so "asked" is no licence for more)
    asked = [kv for kv in facts if focus.asked(kv[0])][:min(limit, UNASKED)]
    room = max(UNASKED, len(asked)) - len(asked)
    news = [kv for kv in facts if kv not in asked and focus.rank(*kv) < 2]
    if not room and news and all(focus.rank(*kv) == 2 for kv in asked):
        room = 1  # what was asked was shown before: the reply tells something new as well
    others = [kv for kv in facts if kv not in asked and _tellable_unasked(kv[0])][:room]
    return [kv for kv in facts if kv in asked or kv in others]


def _tellable_unasked(key: str) -> bool:
    """A label that does not open with a preposition ("from account ID")."""
    words = w.label(key).removeprefix("my ").split()
    return bool(words) and (words[0] not in TRAILING_WORDS or w.relation(key) is not None)
