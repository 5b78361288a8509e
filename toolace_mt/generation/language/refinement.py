"""The offline backend's language passes over a finished plan: new wordings for masked
turns (refill), the rule that keeps an edit only when it says something new and gives
no value early (keep_edits), and the stamps that tell which replies' wording is stale."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable

from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.verifier.evidence import normalise

REFILL_REDRAWS = 4  # wordings tried for a refined turn that must not give a value yet


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def refill(draft: Draft, turns: list[Turn], rng: random.Random,
           word: Callable[[Segment, Turn], str]) -> list[str | None]:
    """New text for each masked turn, in one call (the turns are non-adjacent)."""
    texts: list[str | None] = []
    for turn in turns:
        segment = next(s for s in draft.segments if any(t is turn for t in s.turns))
        held = withheld(draft, turn)
        old_seed = turn.seed
        seed = rng.randrange(2**31)
        # A wording that would give a value the user is asked for only later is drawn
        # again (from seeds derived from this one: the run's random stream is unchanged).
        for redraw in range(REFILL_REDRAWS):
            turn.seed = (seed + redraw * 7919) % 2**31
            text = word(segment, turn)
            if not gives_early(text, turn.text or "", held):
                break
        texts.append(text)
        turn.seed = old_seed
    return texts


def keep_edits(draft: Draft, turns: list[Turn], old: list[str], new: list[str | None]) -> list[bool]:
    """Keep an edit that says something new: at least as many trigrams unseen elsewhere
    in the dialogue as the text it replaces (one judge call per pass). An edit that
    has the user give a value before a clarification asks for it (or the right value
    before the correction of an error simulation) is reverted: the verifier would
    drop the dialogue, and the injected turn would make no sense."""
    verdicts = []
    for turn, before, after in zip(turns, old, new, strict=True):
        if after is None or after == before or not after.strip() \
                or gives_early(after, before, withheld(draft, turn)) or asks_otherwise(draft, turn, before, after):
            verdicts.append(False)
            continue
        others: set[tuple[str, ...]] = set()
        for _, other in draft.turns():
            if other is not turn and other.text:
                others |= _trigrams(other.text)
        verdicts.append(len(_trigrams(after) - others) >= len(_trigrams(before) - others))
    return verdicts


def _field_words(value: object, depth: int = 0) -> set[str]:
    """The words (4+ letters) of an output's field names, at any depth."""
    if depth > 6:
        return set()
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", str(key)).lower()
            found |= {p.rstrip("s") for p in snake.split("_") if len(p) >= 4}
            found |= _field_words(item, depth + 1)
    elif isinstance(value, list):
        for item in value[:20]:
            found |= _field_words(item, depth + 1)
    return found


def asks_otherwise(draft: Draft, turn: Turn, before: str, after: str) -> bool:
    """Whether a reworded request asks about other fields of its answer than it did: its
    reply was worded on what the old words asked ("with its coach and spots left"), and
    would no longer answer the new ones."""
    if turn.kind != "request":
        return False
    segment = next((s for s in draft.segments if any(t is turn for t in s.turns)), None)
    fields = _field_words(segment.target_output()) if segment is not None else set()
    if not fields:
        return False
    def asked(text: str) -> set[str]:
        return {x.rstrip("s") for x in re.findall(r"[a-z]{4,}", text.lower())} & fields
    return asked(before) != asked(after)


def stamps(draft: Draft, segments: range) -> list[tuple[Turn, bytes]]:
    """The turns of `segments` word_replies words (Turn.worded_after_calls), each with a stamp of the
    conversation before it: a running hash of every earlier turn's role, text and calls
    (name, arguments, outcome). Outputs are not hashed: given the env and seed, they
    follow from the calls before them."""
    digest = hashlib.blake2b(digest_size=16)
    stamps = []
    for index, segment in enumerate(draft.segments[:segments.stop]):
        for turn in segment.turns:
            if index in segments and turn.worded_after_calls:
                stamps.append((turn, digest.digest()))
            calls = "".join(f"\x1d{c.name}{c.arguments!r}{c.result is not None and c.result.ok}" for c in turn.calls)
            digest.update(f"{turn.role}\x1f{turn.text!r}{calls}\x1e".encode())
    return stamps


def withheld(draft: Draft, turn: Turn) -> set[str]:
    """Values (normalised) a user turn must not state: those the user gives only later,
    in a clarification's answer (the hidden value) or an error simulation's correction
    (the right value). An assistant turn gives the user nothing, so it has none."""
    if turn.role != "user":
        return set()
    order = [t for _, t in draft.turns()]
    position = next((i for i, t in enumerate(order) if t is turn), len(order))
    return {normalise(str(t.topic["value"])) for t in order[position + 1:]
            if t.kind in ("answer", "correction") and "value" in t.topic}


def gives_early(text: str | None, before: str, withheld: set[str]) -> bool:
    """Whether `text` states a withheld value that the text it replaces did not (by the
    matching `_clarify` uses: the normalised value inside the normalised text)."""
    if not text or not withheld:
        return False
    now, then = normalise(text), normalise(before)
    return any(value in now and value not in then for value in withheld)
