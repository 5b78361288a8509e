"""`envs compile` end to end: each fixture spec compiles to a module that `envs check`
passes and whose tools succeed and fail as the report says; the CLI; the write gate.

Compiling probes every tool in the sandbox (seconds per spec): those tests are slow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import load_env
from sandbox.check import check_env
from toolace_mt.cli import main
from toolace_mt.compiler import compile as compile_module
from toolace_mt.compiler.compile import Validation, compile_specs

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "fixtures" / "specs"
FIXTURES = ["bfcl/ticket_api.json", "bfcl/message_api.json", "bfcl/trading_bot.json", "bfcl/vehicle_control.json",
            "openai_shop.json", "mcp_notes.json", "openapi_clinic.yaml", "openapi_library.json", "mcp_issues.json",
            "openai_travel.json", "fresh/openapi_warehouse.yaml", "fresh/mcp_gym.json", "fresh/openapi_hotel.json",
            "fresh/mcp_kanban.json", "fresh/openai_food.json", "fresh/bfcl_smart_home.json",
            "fresh/openapi_billing.yaml", "fresh/mcp_music.json", "fresh/bfcl_car_rental.json", "fresh/openai_crm.json"]


@pytest.mark.slow
@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_compiles_valid_and_every_tool_is_probed(name: str, tmp_path: Path) -> None:
    out = tmp_path / "env.py"
    report = compile_specs([SPECS / name], out).report
    assert report.valid and report.written and out.is_file()
    assert check_env(out) == []
    assert report.success_rate >= 0.9
    for tool in report.tools:
        assert tool.success is not None, tool.tool
        assert not tool.problems, (tool.tool, tool.problems)
        if tool.writes and not any("not visible" in note for note in tool.not_reached):
            assert tool.visible_through is not None, tool.tool
    with load_env(out) as env:  # the report's calls replay the same way
        for tool in report.tools:
            if tool.success.state == "the seeded state":
                assert env.peek(tool.tool, tool.success.args).ok, tool.tool
            if tool.domain_error is not None and tool.domain_error.state == "the seeded state":
                result = env.peek(tool.tool, tool.domain_error.args)
                assert result.error.type == "ToolError" and result.error.message.startswith(
                    tool.domain_error.detail[:60])


@pytest.mark.slow
def test_ticket_env_behaves_like_a_ticket_system(tmp_path: Path) -> None:
    out = tmp_path / "tickets.py"
    report = compile_specs([SPECS / "bfcl" / "ticket_api.json"], out).report
    kinds = {t.tool: t.kind for t in report.tools}
    assert kinds == {"close_ticket": "transition", "create_ticket": "create", "edit_ticket": "update",
                     "get_ticket": "get", "get_user_tickets": "search", "logout": "logout",
                     "resolve_ticket": "transition", "ticket_get_login_status": "session_status",
                     "ticket_login": "login"}
    # The session starts logged out: the gated tools are reached through the login.
    assert report.start_logged_in is False
    assert {t.tool: t.success.state for t in report.tools}["create_ticket"] == "after ticket_login"
    with load_env(out) as env:
        locked = env.call("create_ticket", {"title": "x"})
        assert locked.error.message == "no user is logged in; log in first (ticket_login)"
        user = env.query("SELECT username, password FROM users ORDER BY username LIMIT 1")[0]
        assert env.call("ticket_login", user).ok
        created = env.call("create_ticket", {"title": "Printer on fire", "priority": 5})
        assert created.ok and created.result["status"] == "open" and created.result["priority"] == 5
        ticket = created.result["id"]
        assert env.call("get_ticket", {"ticket_id": ticket}).result["title"] == "Printer on fire"
        assert env.call("close_ticket", {"ticket_id": ticket}).result == {"status": "closed"}
        again = env.call("close_ticket", {"ticket_id": ticket})
        assert again.error.message == f"ticket {ticket} is already closed"
        late = env.call("resolve_ticket", {"ticket_id": ticket, "resolution": "done"})
        assert late.error.message == f"ticket {ticket} is closed and cannot be resolved"
        assert env.call("get_ticket", {"ticket_id": 987654}).error.message == "ticket 987654 not found"
        bad = env.call("edit_ticket", {"ticket_id": ticket, "updates": {"colour": "red"}})
        assert bad.error.type == "InvalidArguments"  # the spec lists the fields: a TypedDict
        empty = env.call("edit_ticket", {"ticket_id": ticket, "updates": {}})
        assert empty.error.message == "nothing to change: give at least one field"
        assert env.call("edit_ticket", {"ticket_id": ticket, "updates": {"title": "Fire out"}}).ok
        assert env.call("get_ticket", {"ticket_id": ticket}).result["title"] == "Fire out"
        assert env.call("logout", {}).ok
        locked = env.call("create_ticket", {"title": "x"})
        assert locked.error.message == "no user is logged in; log in first (ticket_login)"
        user = env.query("SELECT username, password FROM users ORDER BY username LIMIT 1")[0]
        assert env.call("ticket_login", {"username": user["username"], "password": "nope"}).error.message == \
            "wrong password"
        assert env.call("ticket_login", user).ok
        assert env.call("ticket_get_login_status", {}).result == {"login_status": True}


@pytest.mark.slow
def test_money_and_stock_run_out(tmp_path: Path) -> None:
    trading, shop = tmp_path / "trading.py", tmp_path / "shop.py"
    compile_specs([SPECS / "bfcl" / "trading_bot.json"], trading)
    compile_specs([SPECS / "openai_shop.json"], shop)
    with load_env(trading) as env:
        assert env.call("trading_login", env.query("SELECT username, password FROM users LIMIT 1")[0]).ok
        balance = env.call("get_account_info", {}).result["balance"]
        refused = env.call("withdraw_funds", {"amount": balance + 1})
        assert refused.error.message.startswith(f"insufficient balance: {balance} available")
        assert env.call("withdraw_funds", {"amount": 1.0}).result["new_balance"] == round(balance - 1, 2)
    with load_env(shop) as env:
        empty = env.query("SELECT product_id FROM products WHERE stock = 0 LIMIT 1")[0]["product_id"]
        customer = env.query("SELECT customer_id FROM customers LIMIT 1")[0]["customer_id"]
        order = {"customer_id": customer, "product_id": empty, "quantity": 1}
        assert env.call("create_order", order).error.message == \
            f"insufficient stock: product {empty} has 0 left, 1 wanted"
        assert env.call("create_order", dict(order, customer_id="C-0")).error.message == "customer C-0 not found"


@pytest.mark.slow
def test_cli_compiles_with_a_report_and_json(tmp_path: Path, capsys) -> None:
    out, report = tmp_path / "notes_env.py", tmp_path / "report.json"
    code = main(["envs", "compile", str(SPECS / "mcp_notes.json"), "-o", str(out), "--json", "--report",
                 str(report)])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0 and out.is_file()
    assert printed == json.loads(report.read_text())
    assert printed["valid"] and printed["formats"] == ["mcp"]
    assert {t["tool"]: t["kind"] for t in printed["tools"]}["archive_note"] == "transition"
    assert main(["envs", "check", str(out)]) == 0


def test_cli_rejects_bad_input_with_exit_2(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "broken.json"
    spec.write_text('{"tools": [')
    assert main(["envs", "compile", str(spec), "-o", str(tmp_path / "env.py")]) == 2
    assert f"error: {spec}: line 1 column 12: not valid JSON" in capsys.readouterr().err
    assert main(["envs", "compile", str(tmp_path / "missing.json"), "-o", str(tmp_path / "env.py")]) == 2
    assert "no such spec file" in capsys.readouterr().err
    assert main(["envs", "compile", str(spec), "-o", str(tmp_path / "env.txt")]) == 2
    assert "must be a .py file" in capsys.readouterr().err
    assert not (tmp_path / "env.py").exists()


def test_nothing_is_written_unless_it_validates(tmp_path: Path, monkeypatch, capsys) -> None:
    def invalid(source: str, plan: object, name: str, shown_as: str) -> Validation:
        return Validation(check_problems=[f"{shown_as}:1: made to fail"], probes=[], tables={})

    monkeypatch.setattr(compile_module, "validate", invalid)
    out = tmp_path / "env.py"
    spec = str(SPECS / "openapi_library.json")
    assert main(["envs", "compile", spec, "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert not out.exists() and "NOT written" in captured.err and f"envs check: {out}:1: made to fail" in captured.out
    assert main(["envs", "compile", spec, "-o", str(out), "--force"]) == 1
    assert out.is_file() and "written anyway (--force)" in capsys.readouterr().err


@pytest.mark.slow
def test_readme_compile_example_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## From tool specs to an environment", 1)[1].split("\n## ", 1)[0]
    commands = section.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [c.split()[:3] for c in commands] == [["toolace-mt", "envs", "compile"], ["toolace-mt", "envs", "check"],
                                                 ["toolace-mt", "call", "shop_env.py"]]
    monkeypatch.chdir(tmp_path)
    compile_args = commands[0].split()[1:]
    compile_args[2] = str(ROOT / compile_args[2])
    assert main(compile_args) == 0
    assert "valid, written; 100% of tools succeed" in capsys.readouterr().out
    assert main(commands[1].split()[1:]) == 0
    call = commands[2].split(" ", 4)
    assert main([*call[1:4], call[4].strip("'"), "--json"]) == 0
    printed = capsys.readouterr().out  # the check's lines, then the call's JSON
    answer = json.loads(printed[printed.index("\n{") + 1:])
    assert answer["ok"] and answer["result"]["order_id"] == "O-5001" and answer["result"]["status"] == "cancelled"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bfcl/ticket_api.json", "mcp_notes.json"])
def test_generate_runs_on_a_compiled_env(name: str, tmp_path: Path, capsys) -> None:
    """main's generator on compiled envs (issue 17's target: >= 95% of tools at >= 90% pass rate
    over 100 dialogues; measured by bench/compiled_envs.py, here a smaller run). The pass rate
    is the generator's wording against the `persona` check (issue 16); what the env decides,
    that every call replays to the same state and fits its schema, is asserted here."""
    env, out = tmp_path / "env.py", tmp_path / "out.jsonl"
    assert compile_specs([SPECS / name], env).report.valid
    capsys.readouterr()
    assert main(["generate", "--env", str(env), "-n", "30", "--seed", "0", "-o", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["accepted"] == 30 and summary["pass_rate"] >= 0.5
    attempts = [json.loads(line) for line in Path(f"{out}.attempts.jsonl").read_text().splitlines()]
    env_checks = {"format", "schema", "replay", "state"}
    assert not [a["failed_checks"] for a in attempts if env_checks & set(a["failed_checks"])]
    used = {c["function"]["name"] if "function" in c else c["name"]
            for line in out.read_text().splitlines() for m in json.loads(line)["messages"]
            for c in m.get("tool_calls") or []}
    with load_env(env) as loaded:
        offered = {t.name for t in loaded.tools}
    assert len(used & offered) / len(offered) >= 0.75, sorted(offered - used)
