"""The `response` score: what the record's assistant told the user from tool outputs,
the agent tells too.

"Information" uses the verifier's notion of a grounded value (evidence.py): the dates,
times, ids and numbers in the record's assistant text of a turn that an earlier tool
output shows and no user or system message did (the user already knows those). The
agent's text in the same turn must state each of them, compared by the same rules
(`$1,234.50` is 1234.5, `March 5` is 2026-03-05, `W1001` is `#W1001`). Number words are
left out: "one pending order" is wording, not a fact to repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolace_mt.record import Record
from toolace_mt.verifier.evidence import NUMBER_WORDS, Evidence, mentions

_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)


@dataclass(frozen=True)
class Fact:
    kind: str  # date, time, id, number
    value: tuple[int | None, int, int] | tuple[int, int] | str | float
    shown: str = field(default="", compare=False)  # an id as the text writes it

    def shown_in(self, evidence: Evidence) -> bool:
        if self.kind == "date":
            return evidence.has_date(self.value)  # type: ignore[arg-type]
        if self.kind == "time":
            return self.value in evidence.times
        if self.kind == "id":
            return evidence.has_id(str(self.value))
        return evidence.has_number(float(self.value))  # type: ignore[arg-type]

    def __str__(self) -> str:
        if self.kind == "date":
            year, month, day = self.value  # type: ignore[misc]
            return f"{year}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
        if self.kind == "time":
            hour, minute = self.value  # type: ignore[misc]
            return f"{hour:02d}:{minute:02d}"
        if self.kind == "number":
            number = float(self.value)  # type: ignore[arg-type]
            return str(int(number)) if number.is_integer() else str(number)
        return self.shown or str(self.value)


def facts(text: str) -> list[Fact]:
    """The dates, times, ids and written numbers of a text, once each, in order."""
    found = mentions(_NUMBER_WORD.sub(" ", text))
    ids = []
    for token in found.ids:
        written = re.search(re.escape(token), text, re.I)
        ids.append(Fact("id", token, written.group() if written else token))
    items = [Fact("date", d) for d in found.dates] + [Fact("time", t) for t in found.times] + ids + \
        [Fact("number", n) for n in found.numbers]
    return list(dict.fromkeys(items))


def required_facts(record: Record, start: int, end: int) -> list[Fact]:
    """What the record's assistant states in messages[start:end] that came from a tool output."""
    tools, people = Evidence(), Evidence()
    for message in record.messages[:end]:
        if message.role == "tool":
            tools.add_message(message)
        elif message.role in ("user", "system"):
            people.add_message(message)
    text = "\n".join(m.content or "" for m in record.messages[start:end] if m.role == "assistant")
    return [f for f in facts(text) if f.shown_in(tools) and not f.shown_in(people)]


def missing_facts(required: list[Fact], agent_text: str) -> list[Fact]:
    said = Evidence()
    said.add_text(agent_text)
    return [f for f in required if not f.shown_in(said)]
