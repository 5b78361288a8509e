"""Stage-2b refinement must not have the user give a value before the dialogue asks for
it: a clarification's hidden value before its answer turn, or an error simulation's
right value before its correction. The offline judge (`keep_edits`) reverts such an
edit and `refill` draws another wording first.

Seen before the fix: a clarification hid the value 'wait' and an earlier user turn was
refined to end with "I'll wait to hear back."; the verifier then dropped the dialogue
(behaviour: the user already gave 'wait' before being asked). The one real case found
later (tau_retail seed 5, a one-word summary 'hope') is gone since free-text values are
phrases, so the guard is tested on hand-built drafts.
"""

from __future__ import annotations

import random
from collections.abc import Container
from typing import Any

from toolace_mt.generation.backends.interface import CostMeter
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language.refinement import REFILL_REDRAWS
from toolace_mt.generation.naig import refine
from toolace_mt.generation.settings import Settings

HIDDEN = "wait"
LEAK = "Hey, could you look up order #W1001 for me? I'll wait to hear back."
FINE = "Good morning there, please pull up the order #W1001 whenever convenient, friend."


def _draft(hidden: Any = HIDDEN, kind: str = "answer") -> Draft:
    """Two sub-tasks; the second was refined by stage 2a: a clarification (the user
    gives `hidden` only when asked) or, with kind="correction", an error simulation
    (the user states a wrong value first and `hidden` is the right one)."""
    first = Segment(goal="look up an order", target="get_order_details", stated={"order_id": "#W1001"}, turns=[
        Turn("user", "request", text="Can you look up order #W1001?"),
        Turn("assistant", "calls", calls=[Call("get_order_details", {"order_id": "#W1001"})]),
        Turn("assistant", "reply", text="Order #W1001 is pending."),
    ])
    given = Turn("user", kind, text=f"Oh sorry, {hidden}.", topic={"param": "reason", "value": hidden}, edited=True)
    second = Segment(goal="cancel it", target="cancel_order", stated={"reason": hidden}, turns=[
        Turn("user", "request", text="Please cancel that order.", edited=True),
        Turn("assistant", "ask" if kind == "answer" else "error_reply", text="Why do you want to cancel it?",
             edited=True),
        given,
        Turn("assistant", "calls", calls=[Call("cancel_order", {"order_id": "#W1001", "reason": hidden})]),
        Turn("assistant", "reply", text="Done, it is cancelled."),
        Turn("user", "chat", text="Thanks, that is all."),
    ])
    return Draft(system="You help customers.", segments=[first, second])


def test_keep_edits_reverts_a_user_turn_that_gives_the_hidden_value_before_the_answer() -> None:
    draft = _draft()
    request = draft.segments[0].turns[0]
    backend = OfflineBackend()
    assert backend.keep_edits(draft, [request], [request.text or ""], [LEAK], CostMeter()) == [False]
    assert backend.keep_edits(draft, [request], [request.text or ""], [FINE], CostMeter()) == [True]
    # the same matching as _clarify: normalised (case, spacing), inside a longer word too
    assert backend.keep_edits(draft, [request], [request.text or ""], [FINE + " I'll  WAIT."], CostMeter()) == [False]
    assert backend.keep_edits(draft, [request], [request.text or ""], [FINE + " Waiting."], CostMeter()) == [False]


def test_keep_edits_lets_turns_after_the_answer_and_assistant_turns_say_it() -> None:
    draft = _draft()
    reply_before = draft.segments[0].turns[2]  # an assistant turn gives the user's value to no one
    chat_after = draft.segments[1].turns[5]  # after the answer the value is known
    backend = OfflineBackend()
    verdicts = backend.keep_edits(draft, [reply_before, chat_after], [reply_before.text or "", chat_after.text or ""],
                                  ["Order #W1001 is pending; you may have to wait a day or two for news.",
                                   "Thanks so much, I will wait for the refund then, bye now friend."], CostMeter())
    assert verdicts == [True, True]


def test_keep_edits_reverts_a_user_turn_that_gives_the_right_value_before_the_correction() -> None:
    draft = _draft(hidden="#W1002", kind="correction")
    request = draft.segments[0].turns[0]
    verdict = OfflineBackend().keep_edits(draft, [request], [request.text or ""],
                                          [FINE + " Or was it #W1002?"], CostMeter())
    assert verdict == [False]


def test_keep_edits_keeps_an_edit_that_only_repeats_a_value_the_old_text_already_gave() -> None:
    """Not a new leak: the value was said there before the edit (the same id stated by an
    earlier sub-task, say); reverting would not take it back."""
    draft = _draft(hidden="#W1001", kind="correction")
    request = draft.segments[0].turns[0]
    assert OfflineBackend().keep_edits(draft, [request], [request.text or ""], [FINE], CostMeter()) == [True]


def test_a_numeric_hidden_value_is_matched_as_text() -> None:
    draft = _draft(hidden=1250)
    request = draft.segments[0].turns[0]
    verdict = OfflineBackend().keep_edits(draft, [request], [request.text or ""], [FINE + " It cost 1250."],
                                          CostMeter())
    assert verdict == [False]


class Everything:
    def __contains__(self, seed: object) -> bool:
        return True


class ScriptedWording(OfflineBackend):
    """Words a refined turn from its seed: the seeds in `leaking` give the hidden value."""

    def __init__(self, leaking: Container[int]) -> None:
        super().__init__()
        self.leaking = leaking
        self.seeds: list[int] = []

    def word_turn(self, bench, draft, segment, turn):  # type: ignore[no-untyped-def]
        self.seeds.append(turn.seed)
        return LEAK if turn.seed in self.leaking else f"{FINE} (wording {turn.seed})"


def test_refill_draws_another_wording_when_the_first_gives_the_hidden_value() -> None:
    draft = _draft()
    request = draft.segments[0].turns[0]
    first = random.Random(5).randrange(2**31)
    backend = ScriptedWording(leaking={first})
    rng = random.Random(5)
    texts = backend.refill(draft, [request], rng, CostMeter(), bench=None)  # type: ignore[arg-type]
    assert texts == [f"{FINE} (wording {backend.seeds[1]})"] and HIDDEN not in texts[0]
    assert backend.seeds[0] == first and len(backend.seeds) == 2
    assert request.seed == 0  # the turn's own seed is left as it was
    after = random.Random(5)
    after.randrange(2**31)
    assert rng.getstate() == after.getstate(), "a redraw must not shift the run's random stream"


def test_refill_does_not_redraw_a_turn_that_may_say_the_value() -> None:
    """After the answer the value is the user's to repeat: the first wording stands."""
    draft = _draft()
    chat_after = draft.segments[1].turns[5]
    first = random.Random(5).randrange(2**31)
    backend = ScriptedWording(leaking={first})
    assert backend.refill(draft, [chat_after], random.Random(5), CostMeter(), bench=None) == [LEAK]  # type: ignore[arg-type]


def test_refinement_keeps_the_old_text_when_every_wording_would_give_the_value() -> None:
    draft = _draft()
    request = draft.segments[0].turns[0]
    for _, turn in draft.turns():  # leave the request the only turn refinement may pick
        turn.edited = turn.edited or turn is not request
    backend = ScriptedWording(leaking=Everything())
    kept = refine(backend, draft, Settings(refine_steps=1, turns_per_refine=1), random.Random(3), CostMeter(),
                  bench=None)  # type: ignore[arg-type]
    assert kept == [] and request.text == "Can you look up order #W1001?" and not request.edited
    assert len(backend.seeds) == REFILL_REDRAWS


class EchoingWording(OfflineBackend):
    """Words a request from its seed and a reply on the request's words as they now are."""

    def word_turn(self, bench, draft, segment, turn):  # type: ignore[no-untyped-def]
        if turn.role == "user":
            return f"{FINE} (wording {turn.seed})"
        return f"Reply to: {segment.turns[0].text}"


def test_a_reworded_request_gets_its_replies_worded_again_on_its_new_words() -> None:
    draft = _draft()
    request, _, reply = draft.segments[0].turns
    for _, turn in draft.turns():  # the request is the only turn refinement may pick
        turn.edited = turn.edited or turn is not request
    asked = draft.segments[1].turns[1]  # another sub-task's: left as it is
    cost = CostMeter()
    kept = refine(EchoingWording(), draft, Settings(refine_steps=1, turns_per_refine=1), random.Random(3), cost,
                  bench=None)  # type: ignore[arg-type]
    assert kept == [request] and request.text.startswith(FINE)
    assert reply.text == f"Reply to: {request.text}"  # a refined reply is worded again too
    assert asked.text == "Why do you want to cancel it?"
    assert cost.calls.get("reply") == 1
