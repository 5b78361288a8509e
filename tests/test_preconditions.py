"""Enabled-by edges found by execution, and plans that make the enabling write first."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolace_mt.generation.backends.interface import SubTaskPlan
from toolace_mt.generation.plan.preconditions import Preconditions
from toolace_mt.generation.workbench import Workbench

ENVS = Path(__file__).resolve().parent.parent / "fixtures" / "envs"


@pytest.fixture(scope="module")
def ticket_bench():
    bench = Workbench(str(ENVS / "ticket.py"), 0)
    yield bench
    bench.close()


@pytest.fixture(scope="module")
def message_bench():
    bench = Workbench(str(ENVS / "message.py"), 0)
    yield bench
    bench.close()


def _targets(plans: list[SubTaskPlan]) -> list[str]:
    return [p.target for p in plans]


def test_login_gated_tools_are_enabled_by_the_login(ticket_bench) -> None:
    pre = ticket_bench.preconditions
    gated = {"create_ticket", "close_ticket", "resolve_ticket", "edit_ticket", "get_user_tickets", "logout"}
    assert {tool for tool, writes in pre.enabled_by.items() if writes == ["ticket_login"]} == gated
    assert "get_ticket" not in pre.enabled_by and "ticket_login" not in pre.enabled_by
    assert pre.path("create_ticket") == ("ticket_login",)
    assert "logout" in pre.disabled_by["create_ticket"]  # logging out brings the seeded error back
    assert all(pre.reached(t) for t in ticket_bench.tools)


def test_the_env_is_back_at_its_seeded_state_after_learning(ticket_bench) -> None:
    assert ticket_bench.env.query("SELECT username FROM session") == [{"username": None}]
    assert not ticket_bench.env.call("create_ticket", {"title": "Printer jam"}).ok


def test_plans_put_the_enabling_write_first(ticket_bench) -> None:
    arrange = ticket_bench.preconditions.arrange
    assert _targets(arrange([SubTaskPlan("create_ticket", 2)])) == ["ticket_login", "create_ticket"]
    assert arrange([SubTaskPlan("create_ticket", 2)])[0].steps == 1
    # already logged in: nothing added; logged out in between: logged in again
    assert _targets(arrange([SubTaskPlan("ticket_login", 1), SubTaskPlan("close_ticket", 2)])) == [
        "ticket_login", "close_ticket"]
    # a log-out comes last: the dialogue logs in once (one identity), and logs out once
    assert _targets(arrange([SubTaskPlan("create_ticket", 2), SubTaskPlan("logout", 1),
                             SubTaskPlan("get_ticket", 1), SubTaskPlan("close_ticket", 1),
                             SubTaskPlan("logout", 1)])) == [
        "ticket_login", "create_ticket", "get_ticket", "close_ticket", "logout"]


def test_a_second_login_while_logged_in_is_left_out(ticket_bench) -> None:
    """Logging in again while logged in would sign in as a second user (identity_change)."""
    arrange = ticket_bench.preconditions.arrange
    assert _targets(arrange([SubTaskPlan("create_ticket", 2), SubTaskPlan("ticket_login", 1),
                             SubTaskPlan("close_ticket", 1)])) == ["ticket_login", "create_ticket", "close_ticket"]
    assert _targets(arrange([SubTaskPlan("ticket_login", 1), SubTaskPlan("ticket_login", 1)])) == ["ticket_login"]
    # log in, log out, log in again: one log-in, and the log-out last
    assert _targets(arrange([SubTaskPlan("ticket_login", 1), SubTaskPlan("logout", 1),
                             SubTaskPlan("ticket_login", 1), SubTaskPlan("get_user_tickets", 1)])) == [
        "ticket_login", "get_user_tickets", "logout"]
    # a log-out alone still logs in first
    assert _targets(arrange([SubTaskPlan("logout", 1)])) == ["ticket_login", "logout"]


def test_an_env_without_preconditions_keeps_its_plans() -> None:
    plans = [SubTaskPlan("get_order", 2), SubTaskPlan("cancel_order", 1)]
    assert Preconditions().arrange(plans) == [SubTaskPlan("get_order", 2, then=("cancel_order",)),
                                              SubTaskPlan("cancel_order", 1)]


def test_gated_reads_are_observed_and_linked_in_the_catalog(message_bench) -> None:
    catalog = message_bench.catalog
    assert {"received_count", "total_contacts"} <= set(catalog.outputs["get_message_stats"])  # after message_login
    assert catalog.probes_ok["get_message_stats"] >= 1
    assert message_bench.plain_ok["search_messages"] and message_bench.plain_ok["send_message"]


def test_unreached_tools_keep_their_last_error(message_bench) -> None:
    pre = message_bench.preconditions
    assert pre.reason("send_message") is None
    assert pre.reason("no_such_tool") == "no trial call could be made"


def test_builtin_envs_have_no_state_preconditions() -> None:
    bench = Workbench("calendar_mail", 0)
    try:
        assert bench.preconditions.enabled_by == {}
        assert bench.preconditions.trials <= 600
    finally:
        bench.close()


def test_a_chain_of_two_enabling_writes() -> None:
    """The engine starts only with the brake pressed; cruise control needs the engine."""
    bench = Workbench(str(ENVS.parent.parent / "bench" / "ports" / "vehicle_control.py"), 0)
    try:
        pre = bench.preconditions
        assert pre.enabled_by == {"startEngine": ["pressBrakePedal"], "setCruiseControl": ["startEngine"]}
        assert pre.path("setCruiseControl") == ("pressBrakePedal", "startEngine")
        assert _targets(pre.arrange([SubTaskPlan("setCruiseControl", 1)])) == [
            "pressBrakePedal", "startEngine", "setCruiseControl"]
        assert pre.enter(bench.env, "setCruiseControl")  # the state where it first succeeded
        assert bench.env.query("SELECT engine_state FROM vehicle") == [{"engine_state": "running"}]
        bench.env.reset()
    finally:
        bench.close()


def test_errors_naming_the_values_are_not_state_preconditions() -> None:
    from toolace_mt.generation.plan.preconditions import _names_a_value

    assert _names_a_value("ToolError: card CRD-3 is cancelled", {"card_id": "CRD-3"})
    assert _names_a_value("ToolError: order 12 is closed", {"order": {"ids": [12]}})
    assert not _names_a_value("ToolError: no user is logged in", {"ticket_id": 12, "title": "x"})
    assert not _names_a_value("ToolError: order 125 not found", {"order_id": 12})
