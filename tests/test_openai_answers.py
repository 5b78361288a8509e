"""The openai backend's check that a worded text states only values shown before it:
asked for several texts of one conversation at once (the replies of a dialogue), it
answers what asking for each text on its own answers."""

from __future__ import annotations

from toolace_mt.generation.backends.openai_answers import Backing, unbacked
from toolace_mt.record import AssistantMessage, SystemMessage, ToolMessage, UserMessage

CONVERSATION = [
    SystemMessage(content="You help with orders."),
    UserMessage(content="Where is order #W1001?"),
    ToolMessage(tool_call_id="c1", content='{"order_id": "#W1001", "total": 54.5, "placed": "2026-01-03"}'),
    AssistantMessage(content="Order #W1001 for 54.50 dollars was placed on 2026-01-03."),
    UserMessage(content="And order #W1002?"),
    ToolMessage(tool_call_id="c2", content='{"order_id": "#W1002", "total": 12.0}'),
]
TEXT = "Order #W1002 costs 12 dollars; #W1001 cost 54.50 dollars on 2026-01-03."


def test_a_text_stating_what_nothing_before_it_shows_is_caught() -> None:
    assert unbacked(TEXT, CONVERSATION) == []
    assert set(unbacked(TEXT, CONVERSATION[:3])) == {"#w1002", "12"}  # ids in lower case
    assert unbacked("It was placed on 2026-02-09.", CONVERSATION) == ["2026-2-9"]


def test_backing_at_several_positions_answers_as_unbacked_alone() -> None:
    backing = Backing(CONVERSATION)
    for position in (1, 3, 3, 6, 2, 6):  # forwards, again, backwards (it starts over)
        assert backing.unbacked(TEXT, position) == unbacked(TEXT, CONVERSATION[:position]), position
