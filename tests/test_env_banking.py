"""Behaviour of the banking environment: every tool's happy path and every domain error."""

import datetime

import pytest

from sandbox import load_env

SEED = 7


@pytest.fixture(scope="module")
def env():
    e = load_env("banking", seed=SEED)
    yield e
    e.close()


@pytest.fixture(autouse=True)
def fresh(env):
    env.reset()


@pytest.fixture(scope="module")
def today(env) -> datetime.date:
    """The env's frozen 'today', read from an immediate transfer's execution date."""
    env.reset()
    pair = row(env, """
        SELECT a.account_id AS src, b.account_id AS dst FROM accounts a
        JOIN accounts b ON a.customer_id = b.customer_id AND a.account_id <> b.account_id
        WHERE a.status = 'open' AND b.status = 'open' AND a.balance > 10 LIMIT 1""")
    done = ok(env, "transfer_between_accounts",
              {"from_account_id": pair["src"], "to_account_id": pair["dst"], "amount": 1})
    env.reset()
    return datetime.date.fromisoformat(done["execute_on"])


# --------------------------------------------------------------------------- helpers


def rows(env, sql: str, params: list | None = None) -> list[dict]:
    return env.query(sql, params or [])


def row(env, sql: str, params: list | None = None) -> dict:
    found = rows(env, sql, params)
    assert found, f"the seeded data has no row for: {sql}"
    return found[0]


def ok(env, tool: str, args: dict):
    r = env.call(tool, args)
    assert r.ok, r.error
    return r.result


def fails(env, tool: str, args: dict, *fragments: str) -> str:
    """Assert the call fails with a ToolError naming `fragments` and changes nothing."""
    before = env.state_hash()
    r = env.call(tool, args)
    assert r.ok is False
    assert r.error.type == "ToolError", r.error
    for fragment in fragments:
        assert fragment in r.error.message
    assert env.state_hash() == before
    return r.error.message


def account(env, account_id: str) -> dict:
    return row(env, "SELECT * FROM accounts WHERE account_id = ?", [account_id])


def sent_today(env, account_id: str, today: datetime.date) -> float:
    return rows(env, """
        SELECT coalesce(sum(amount), 0) AS s FROM transfers WHERE from_account_id = ?
        AND kind = 'payee' AND status = 'completed' AND execute_on = ?""",
                [account_id, today.isoformat()])[0]["s"]


def payer(env, today: datetime.date, min_balance: float = 500.0) -> dict:
    """An open checking account with a payee and room for a payment of 100 today."""
    return row(env, """
        SELECT a.account_id, a.customer_id, a.balance, a.daily_limit, p.payee_id
        FROM accounts a JOIN payees p ON p.customer_id = a.customer_id
        WHERE a.status = 'open' AND a.account_type = 'checking' AND a.balance > ?
        AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.from_account_id = a.account_id
                        AND t.kind = 'payee' AND t.status = 'completed'
                        AND t.execute_on = ?)
        ORDER BY a.account_id, p.payee_id LIMIT 1""", [min_balance, today.isoformat()])


def own_pair(env, target_status: str = "open") -> dict:
    """Two accounts of one customer: an open funded one and one with `target_status`."""
    return row(env, """
        SELECT a.account_id AS src, b.account_id AS dst, a.balance AS src_balance,
               b.balance AS dst_balance
        FROM accounts a JOIN accounts b
          ON a.customer_id = b.customer_id AND a.account_id <> b.account_id
        WHERE a.status = 'open' AND a.balance > 200 AND b.status = ?
        ORDER BY a.account_id, b.account_id LIMIT 1""", [target_status])


# --------------------------------------------------------------------------- seeding


def test_seed_has_enough_rows_in_every_state(env):
    counts = {t: rows(env, f"SELECT count(*) AS n FROM {t}")[0]["n"]
              for t in ("customers", "accounts", "payees", "transfers", "cards")}
    assert counts["accounts"] >= 100
    assert counts["customers"] >= 100
    assert min(counts.values()) >= 100

    def states(sql: str) -> set:
        return {r["s"] for r in rows(env, sql)}

    assert states("SELECT DISTINCT status AS s FROM accounts") == {"open", "frozen", "closed"}
    assert states("SELECT DISTINCT account_type AS s FROM accounts") == {"checking", "savings"}
    assert states("SELECT DISTINCT status AS s FROM transfers") == {
        "completed", "scheduled", "cancelled"}
    assert states("SELECT DISTINCT status AS s FROM cards") == {
        "active", "frozen", "lost", "cancelled"}


def test_seed_is_deterministic(env):
    with load_env("banking", seed=SEED) as same:
        assert same.state_hash() == env.state_hash()
    with load_env("banking", seed=SEED + 1) as other:
        assert other.state_hash() != env.state_hash()


def test_every_tool_has_schema_and_phrasing(env):
    names = {spec.name for spec in env.tools}
    assert len(names) >= 10
    writes = {spec.name for spec in env.tools if spec.writes}
    assert writes == {"add_payee", "transfer_between_accounts", "pay_payee", "cancel_transfer",
                      "freeze_card", "unfreeze_card", "report_card_lost"}
    for spec in env.tools:
        assert spec.description
        assert len(spec.phrasing) >= 2
        params = set(spec.parameters["properties"])
        for template in spec.phrasing:
            for word in template.split("{")[1:]:
                assert word.split("}")[0] in params, (spec.name, template)


# --------------------------------------------------------------------------- customers & accounts


def test_find_customers_by_name_and_email(env):
    c = row(env, "SELECT * FROM customers ORDER BY customer_id LIMIT 1 OFFSET 5")
    last = c["full_name"].split(" ")[-1]
    found = ok(env, "find_customers", {"name": last.lower()})
    assert c["customer_id"] in [f["customer_id"] for f in found]
    assert all(last.lower() in f["full_name"].lower() for f in found)
    assert len(found) <= 10

    by_email = ok(env, "find_customers", {"email": c["email"]})
    assert by_email == [{"customer_id": c["customer_id"], "full_name": c["full_name"],
                         "email": c["email"], "city": c["city"]}]


def test_find_customers_needs_a_criterion(env):
    fails(env, "find_customers", {}, "give a name or an email")
    fails(env, "find_customers", {"name": "  ", "email": ""}, "give a name or an email")


def test_get_customer_lists_accounts(env):
    c = row(env, """SELECT customer_id FROM accounts GROUP BY customer_id
                    HAVING count(*) >= 2 ORDER BY customer_id LIMIT 1""")
    got = ok(env, "get_customer", {"customer_id": c["customer_id"]})
    expected = rows(env, """SELECT account_id, account_type, status, balance FROM accounts
                            WHERE customer_id = ? ORDER BY account_id""", [c["customer_id"]])
    assert got["customer_id"] == c["customer_id"]
    assert got["accounts"] == expected
    assert "full_name" in got and "email" in got


def test_get_customer_unknown(env):
    fails(env, "get_customer", {"customer_id": "CUS-9999"}, "customer CUS-9999 not found")


def test_get_account_shows_remaining_daily_limit(env, today):
    a = row(env, """SELECT from_account_id AS id FROM transfers WHERE kind = 'payee'
                    AND status = 'completed' AND execute_on = ? LIMIT 1""", [today.isoformat()])
    got = ok(env, "get_account", {"account_id": a["id"]})
    used = sent_today(env, a["id"], today)
    assert used > 0
    assert got["account_id"] == a["id"]
    assert got["balance"] == account(env, a["id"])["balance"]
    assert got["sent_today"] == round(used, 2)
    assert got["remaining_daily_limit"] == round(max(got["daily_limit"] - used, 0), 2)


def test_get_account_unknown(env):
    fails(env, "get_account", {"account_id": "ACC-1"}, "account ACC-1 not found")


def test_list_transfers_filters_and_orders(env):
    a = row(env, """SELECT from_account_id AS id FROM transfers WHERE status = 'scheduled'
                    GROUP BY ALL ORDER BY count(*) DESC, id LIMIT 1""")["id"]
    scheduled = ok(env, "list_transfers", {"account_id": a, "status": "scheduled"})
    assert scheduled and all(t["status"] == "scheduled" for t in scheduled)
    every = ok(env, "list_transfers", {"account_id": a, "limit": 50})
    assert all(a in (t["from_account_id"], t["to_account_id"]) for t in every)
    dates = [t["execute_on"] for t in every]
    assert dates == sorted(dates, reverse=True)
    assert len(ok(env, "list_transfers", {"account_id": a, "limit": 1})) == 1


def test_list_transfers_errors(env):
    fails(env, "list_transfers", {"account_id": "ACC-00000"}, "account ACC-00000 not found")
    a = row(env, "SELECT account_id FROM accounts LIMIT 1")["account_id"]
    fails(env, "list_transfers", {"account_id": a, "limit": 0}, "between 1 and 50")
    fails(env, "list_transfers", {"account_id": a, "limit": 51}, "between 1 and 50")


def test_get_transfer(env):
    t = row(env, "SELECT * FROM transfers WHERE kind = 'payee' LIMIT 1")
    got = ok(env, "get_transfer", {"transfer_id": t["transfer_id"]})
    assert got == t


def test_get_transfer_unknown(env):
    fails(env, "get_transfer", {"transfer_id": "TRF-1"}, "transfer TRF-1 not found")


# --------------------------------------------------------------------------- payees


def test_list_payees(env):
    c = row(env, "SELECT customer_id FROM payees GROUP BY ALL HAVING count(*) >= 2 LIMIT 1")
    got = ok(env, "list_payees", {"customer_id": c["customer_id"]})
    assert [p["payee_id"] for p in got] == [r["payee_id"] for r in rows(
        env, "SELECT payee_id FROM payees WHERE customer_id = ? ORDER BY payee_id",
        [c["customer_id"]])]
    assert all(p["customer_id"] == c["customer_id"] for p in got)


def test_list_payees_unknown_customer(env):
    fails(env, "list_payees", {"customer_id": "CUS-0"}, "customer CUS-0 not found")


def test_add_payee_then_pay_it(env, today):
    p = payer(env, today)
    next_number = rows(env, "SELECT max(CAST(substr(payee_id, 5) AS INTEGER)) AS m FROM payees")[0]["m"] + 1
    added = ok(env, "add_payee", {"customer_id": p["customer_id"], "name": "Rosa Diaz",
                                  "bank_name": "Chase", "account_number": "12345678",
                                  "nickname": "Rosa"})
    assert added["payee_id"] == f"PAY-{next_number}"
    assert added["customer_id"] == p["customer_id"]
    assert added["name"] == "Rosa Diaz" and added["nickname"] == "Rosa"
    assert added["added_on"] == today.isoformat()
    assert row(env, "SELECT * FROM payees WHERE payee_id = ?", [added["payee_id"]]) == added
    assert added["payee_id"] in [x["payee_id"] for x in ok(
        env, "list_payees", {"customer_id": p["customer_id"]})]
    paid = ok(env, "pay_payee", {"from_account_id": p["account_id"],
                                 "payee_id": added["payee_id"], "amount": 10})
    assert paid["payee_id"] == added["payee_id"] and paid["status"] == "completed"


def test_add_payee_errors(env):
    existing = row(env, "SELECT * FROM payees ORDER BY payee_id LIMIT 1")
    cid = existing["customer_id"]
    base = {"customer_id": cid, "name": "Rosa Diaz", "bank_name": "Chase",
            "account_number": "12345678"}
    fails(env, "add_payee", dict(base, customer_id="CUS-77"), "customer CUS-77 not found")
    fails(env, "add_payee", dict(base, name=" "), "name cannot be empty")
    fails(env, "add_payee", dict(base, bank_name=""), "bank name cannot be empty")
    fails(env, "add_payee", dict(base, account_number="12-34"), "'12-34'", "8 to 12 digits")
    fails(env, "add_payee", dict(base, account_number="1234567"), "8 to 12 digits")
    fails(env, "add_payee", dict(base, bank_name=existing["bank_name"].upper(),
                                 account_number=existing["account_number"]),
          f"already has payee {existing['payee_id']}", existing["name"])


# --------------------------------------------------------------------------- transfers between own accounts


def test_transfer_between_accounts(env, today):
    pair = own_pair(env)
    next_number = rows(env, "SELECT max(CAST(substr(transfer_id, 5) AS INTEGER)) AS m FROM transfers")[0]["m"] + 1
    done = ok(env, "transfer_between_accounts", {"from_account_id": pair["src"],
                                                 "to_account_id": pair["dst"],
                                                 "amount": 123.45, "memo": "savings"})
    assert done["transfer_id"] == f"TRF-{next_number}"
    assert done["kind"] == "internal" and done["status"] == "completed"
    assert done["amount"] == 123.45 and done["memo"] == "savings"
    assert done["execute_on"] == today.isoformat()
    assert done["from_balance_after"] == round(pair["src_balance"] - 123.45, 2)
    assert account(env, pair["src"])["balance"] == round(pair["src_balance"] - 123.45, 2)
    assert account(env, pair["dst"])["balance"] == round(pair["dst_balance"] + 123.45, 2)
    stored = row(env, "SELECT * FROM transfers WHERE transfer_id = ?", [done["transfer_id"]])
    assert stored["to_account_id"] == pair["dst"] and stored["payee_id"] is None
    assert ok(env, "get_transfer", {"transfer_id": done["transfer_id"]}) == stored


def test_transfer_between_accounts_does_not_use_daily_limit(env, today):
    pair = own_pair(env)
    before = sent_today(env, pair["src"], today)
    ok(env, "transfer_between_accounts",
       {"from_account_id": pair["src"], "to_account_id": pair["dst"], "amount": 100})
    assert sent_today(env, pair["src"], today) == before


def test_transfer_between_accounts_errors(env):
    pair = own_pair(env)
    src, dst = pair["src"], pair["dst"]
    args = {"from_account_id": src, "to_account_id": dst, "amount": 10}
    fails(env, "transfer_between_accounts", dict(args, amount=0), "must be positive")
    fails(env, "transfer_between_accounts", dict(args, amount=-5), "must be positive, got -5")
    fails(env, "transfer_between_accounts", dict(args, amount=1.234), "two decimal places")
    fails(env, "transfer_between_accounts", dict(args, to_account_id=src),
          f"from account {src} to itself")
    fails(env, "transfer_between_accounts", dict(args, from_account_id="ACC-404"),
          "account ACC-404 not found")
    fails(env, "transfer_between_accounts", dict(args, to_account_id="ACC-404"),
          "account ACC-404 not found")
    stranger = row(env, """SELECT account_id FROM accounts WHERE status = 'open'
                           AND customer_id <> (SELECT customer_id FROM accounts
                                               WHERE account_id = ?) LIMIT 1""", [src])
    fails(env, "transfer_between_accounts", dict(args, to_account_id=stranger["account_id"]),
          f"account {stranger['account_id']} belongs to a different customer", "payee")
    fails(env, "transfer_between_accounts", dict(args, amount=round(pair["src_balance"] + 1, 2)),
          f"insufficient funds in account {src}")


def test_transfer_between_accounts_frozen_or_closed(env):
    frozen = own_pair(env, "frozen")
    closed = own_pair(env, "closed")
    fails(env, "transfer_between_accounts",
          {"from_account_id": frozen["src"], "to_account_id": frozen["dst"], "amount": 10},
          f"account {frozen['dst']} is frozen", "cannot receive money")
    fails(env, "transfer_between_accounts",
          {"from_account_id": closed["src"], "to_account_id": closed["dst"], "amount": 10},
          f"account {closed['dst']} is closed and cannot receive money")
    # and in the other direction
    fails(env, "transfer_between_accounts",
          {"from_account_id": frozen["dst"], "to_account_id": frozen["src"], "amount": 1},
          f"account {frozen['dst']} is frozen", "cannot send money")
    fails(env, "transfer_between_accounts",
          {"from_account_id": closed["dst"], "to_account_id": closed["src"], "amount": 1},
          f"account {closed['dst']} is closed and cannot send money")


# --------------------------------------------------------------------------- payments to payees


def test_pay_payee_now(env, today):
    p = payer(env, today)
    used = sent_today(env, p["account_id"], today)
    paid = ok(env, "pay_payee", {"from_account_id": p["account_id"], "payee_id": p["payee_id"],
                                 "amount": 75.5, "memo": "rent"})
    assert paid["status"] == "completed" and paid["kind"] == "payee"
    assert paid["payee_id"] == p["payee_id"] and paid["to_account_id"] is None
    assert paid["amount"] == 75.5 and paid["memo"] == "rent"
    assert paid["execute_on"] == today.isoformat()
    assert paid["from_balance_after"] == round(p["balance"] - 75.5, 2)
    assert paid["payee_name"] == row(env, "SELECT name FROM payees WHERE payee_id = ?",
                                     [p["payee_id"]])["name"]
    assert account(env, p["account_id"])["balance"] == round(p["balance"] - 75.5, 2)
    assert sent_today(env, p["account_id"], today) == pytest.approx(used + 75.5)
    assert ok(env, "get_account", {"account_id": p["account_id"]})["remaining_daily_limit"] == \
        round(p["daily_limit"] - used - 75.5, 2)
    stored = row(env, "SELECT * FROM transfers WHERE transfer_id = ?", [paid["transfer_id"]])
    assert stored["status"] == "completed"


def test_pay_payee_scheduled_then_cancel(env, today):
    p = payer(env, today)
    when = (today + datetime.timedelta(days=10)).isoformat()
    planned = ok(env, "pay_payee", {"from_account_id": p["account_id"],
                                    "payee_id": p["payee_id"], "amount": 200,
                                    "scheduled_date": when})
    assert planned["status"] == "scheduled" and planned["execute_on"] == when
    assert planned["from_balance_after"] == p["balance"]
    assert account(env, p["account_id"])["balance"] == p["balance"]
    listed = ok(env, "list_transfers", {"account_id": p["account_id"], "status": "scheduled"})
    assert planned["transfer_id"] in [t["transfer_id"] for t in listed]

    cancelled = ok(env, "cancel_transfer", {"transfer_id": planned["transfer_id"]})
    assert cancelled["status"] == "cancelled"
    assert row(env, "SELECT status FROM transfers WHERE transfer_id = ?",
               [planned["transfer_id"]])["status"] == "cancelled"


def test_pay_payee_amount_and_account_errors(env, today):
    p = payer(env, today)
    args = {"from_account_id": p["account_id"], "payee_id": p["payee_id"], "amount": 10}
    fails(env, "pay_payee", dict(args, amount=-1), "must be positive")
    fails(env, "pay_payee", dict(args, amount=0.001), "two decimal places")
    fails(env, "pay_payee", dict(args, from_account_id="ACC-0"), "account ACC-0 not found")
    for status in ("frozen", "closed"):
        a = row(env, "SELECT account_id FROM accounts WHERE status = ? LIMIT 1", [status])
        fails(env, "pay_payee", dict(args, from_account_id=a["account_id"]),
              f"account {a['account_id']} is {status}", "cannot send payments")
    savings = row(env, """SELECT a.account_id, p.payee_id FROM accounts a
                          JOIN payees p ON p.customer_id = a.customer_id
                          WHERE a.account_type = 'savings' AND a.status = 'open' LIMIT 1""")
    fails(env, "pay_payee", dict(args, from_account_id=savings["account_id"],
                                 payee_id=savings["payee_id"]),
          f"account {savings['account_id']} is a savings account", "checking account")


def test_pay_payee_unknown_payee(env, today):
    p = payer(env, today)
    args = {"from_account_id": p["account_id"], "payee_id": "PAY-0", "amount": 10}
    fails(env, "pay_payee", args, "payee PAY-0 is not a saved payee", p["customer_id"],
          "add_payee")
    foreign = row(env, "SELECT payee_id FROM payees WHERE customer_id <> ? LIMIT 1",
                  [p["customer_id"]])["payee_id"]
    fails(env, "pay_payee", dict(args, payee_id=foreign),
          f"payee {foreign} is not a saved payee of customer {p['customer_id']}")


def test_pay_payee_insufficient_funds(env):
    poor = row(env, """SELECT a.account_id, a.balance, p.payee_id FROM accounts a
                       JOIN payees p ON p.customer_id = a.customer_id
                       WHERE a.status = 'open' AND a.account_type = 'checking'
                       AND a.balance < 100 LIMIT 1""")
    fails(env, "pay_payee", {"from_account_id": poor["account_id"], "payee_id": poor["payee_id"],
                             "amount": 100},
          f"insufficient funds in account {poor['account_id']}", "payment is $100.00")


def test_pay_payee_daily_limit(env, today):
    busy = row(env, """
        SELECT a.account_id, a.daily_limit, sum(t.amount) AS used,
               (SELECT min(payee_id) FROM payees p WHERE p.customer_id = a.customer_id) AS payee_id
        FROM accounts a JOIN transfers t ON t.from_account_id = a.account_id
        WHERE t.kind = 'payee' AND t.status = 'completed' AND t.execute_on = ?
        AND a.status = 'open' GROUP BY a.account_id, a.customer_id, a.daily_limit, a.balance
        HAVING a.balance > a.daily_limit - sum(t.amount) + 1 ORDER BY a.account_id LIMIT 1""",
               [today.isoformat()])
    left = round(busy["daily_limit"] - busy["used"], 2)
    args = {"from_account_id": busy["account_id"], "payee_id": busy["payee_id"]}
    fails(env, "pay_payee", dict(args, amount=round(left + 1, 2)),
          f"exceed account {busy['account_id']}'s daily transfer limit", f"${left:,.2f} left")
    ok(env, "pay_payee", dict(args, amount=left))  # exactly the rest is fine
    fails(env, "pay_payee", dict(args, amount=0.01), "daily transfer limit", "$0.00 left")


def test_pay_payee_schedule_errors(env, today):
    p = payer(env, today)
    args = {"from_account_id": p["account_id"], "payee_id": p["payee_id"], "amount": 10}
    fails(env, "pay_payee", dict(args, scheduled_date="next friday"), "'next friday'",
          "is not a date")
    fails(env, "pay_payee", dict(args, scheduled_date=today.isoformat()), "not in the future")
    past = (today - datetime.timedelta(days=3)).isoformat()
    fails(env, "pay_payee", dict(args, scheduled_date=past), f"{past} is not in the future")
    far = (today + datetime.timedelta(days=400)).isoformat()
    fails(env, "pay_payee", dict(args, scheduled_date=far), "more than 365 days ahead")
    soon = (today + datetime.timedelta(days=2)).isoformat()
    fails(env, "pay_payee", dict(args, scheduled_date=soon, amount=p["daily_limit"] + 1),
          "exceeds account", "daily transfer limit")


def test_cancel_transfer_errors(env):
    fails(env, "cancel_transfer", {"transfer_id": "TRF-5"}, "transfer TRF-5 not found")
    done = row(env, "SELECT * FROM transfers WHERE status = 'completed' LIMIT 1")
    fails(env, "cancel_transfer", {"transfer_id": done["transfer_id"]},
          f"transfer {done['transfer_id']} was already completed on {done['execute_on']}",
          "only scheduled")
    gone = row(env, "SELECT transfer_id FROM transfers WHERE status = 'cancelled' LIMIT 1")
    fails(env, "cancel_transfer", {"transfer_id": gone["transfer_id"]},
          f"transfer {gone['transfer_id']} is already cancelled")


def test_cancel_seeded_scheduled_transfer(env):
    t = row(env, "SELECT transfer_id FROM transfers WHERE status = 'scheduled' LIMIT 1")
    assert ok(env, "cancel_transfer", t)["status"] == "cancelled"
    fails(env, "cancel_transfer", t, "already cancelled")


# --------------------------------------------------------------------------- cards


def card_where(env, condition: str, params: list | None = None) -> dict:
    return row(env, f"""SELECT c.*, a.status AS account_status FROM cards c
                        JOIN accounts a ON a.account_id = c.account_id
                        WHERE {condition} ORDER BY c.card_id LIMIT 1""", params)


def test_list_cards(env):
    c = row(env, """SELECT a.customer_id FROM cards c JOIN accounts a USING (account_id)
                    GROUP BY ALL HAVING count(*) >= 2 ORDER BY 1 LIMIT 1""")["customer_id"]
    got = ok(env, "list_cards", {"customer_id": c})
    expected = rows(env, """SELECT c.* FROM cards c JOIN accounts a USING (account_id)
                            WHERE a.customer_id = ? ORDER BY c.card_id""", [c])
    assert got == expected and len(got) >= 2


def test_list_cards_unknown_customer(env):
    fails(env, "list_cards", {"customer_id": "CUS-1"}, "customer CUS-1 not found")


def test_freeze_and_unfreeze_card(env, today):
    card = card_where(env, "c.status = 'active' AND c.expires_on >= ?", [today.isoformat()])
    frozen = ok(env, "freeze_card", {"card_id": card["card_id"]})
    assert frozen["card_id"] == card["card_id"] and frozen["status"] == "frozen"
    assert row(env, "SELECT status FROM cards WHERE card_id = ?",
               [card["card_id"]])["status"] == "frozen"
    thawed = ok(env, "unfreeze_card", {"card_id": card["card_id"]})
    assert thawed["status"] == "active"
    assert row(env, "SELECT status FROM cards WHERE card_id = ?",
               [card["card_id"]])["status"] == "active"


def test_unfreeze_seeded_frozen_card(env):
    card = card_where(env, "c.status = 'frozen' AND a.status = 'open'")
    assert ok(env, "unfreeze_card", {"card_id": card["card_id"]})["status"] == "active"


def test_freeze_card_errors(env, today):
    fails(env, "freeze_card", {"card_id": "CRD-1"}, "card CRD-1 not found")
    frozen = card_where(env, "c.status = 'frozen'")
    fails(env, "freeze_card", {"card_id": frozen["card_id"]},
          f"card {frozen['card_id']} (ending {frozen['last4']}) is already frozen")
    lost = card_where(env, "c.status = 'lost'")
    fails(env, "freeze_card", {"card_id": lost["card_id"]}, "was reported lost")
    cancelled = card_where(env, "c.status = 'cancelled'")
    fails(env, "freeze_card", {"card_id": cancelled["card_id"]}, "is cancelled")
    expired = card_where(env, "c.status = 'active' AND c.expires_on < ?", [today.isoformat()])
    fails(env, "freeze_card", {"card_id": expired["card_id"]},
          f"expired on {expired['expires_on']}")


def test_unfreeze_card_errors(env):
    fails(env, "unfreeze_card", {"card_id": "CRD-2"}, "card CRD-2 not found")
    lost = card_where(env, "c.status = 'lost'")
    fails(env, "unfreeze_card", {"card_id": lost["card_id"]},
          f"card {lost['card_id']}", "reported lost and cannot be unfrozen",
          f"replacement card {lost['replacement_card_id']}")
    cancelled = card_where(env, "c.status = 'cancelled'")
    fails(env, "unfreeze_card", {"card_id": cancelled["card_id"]}, "cancelled and cannot be")
    active = card_where(env, "c.status = 'active'")
    fails(env, "unfreeze_card", {"card_id": active["card_id"]}, "is not frozen")
    bank_frozen = card_where(env, "c.status = 'frozen' AND a.status = 'frozen'")
    fails(env, "unfreeze_card", {"card_id": bank_frozen["card_id"]},
          f"its account {bank_frozen['account_id']} is frozen")


def test_report_card_lost_issues_replacement(env, today):
    card = card_where(env, "c.status = 'active' AND a.status = 'open'")
    next_number = rows(env, "SELECT max(CAST(substr(card_id, 5) AS INTEGER)) AS m FROM cards")[0]["m"] + 1
    got = ok(env, "report_card_lost", {"card_id": card["card_id"]})
    new = got["replacement"]
    assert got["status"] == "lost" and got["replacement_card_id"] == f"CRD-{next_number}"
    assert new["card_id"] == f"CRD-{next_number}" and new["status"] == "active"
    assert new["account_id"] == card["account_id"] and new["network"] == card["network"]
    assert len(new["last4"]) == 4 and new["last4"].isdigit()
    assert new["expires_on"] > today.isoformat()
    assert row(env, "SELECT * FROM cards WHERE card_id = ?", [new["card_id"]]) == new
    assert row(env, "SELECT status FROM cards WHERE card_id = ?",
               [card["card_id"]])["status"] == "lost"
    # the lost card stays blocked; the new one can be frozen
    fails(env, "unfreeze_card", {"card_id": card["card_id"]}, new["card_id"])
    assert ok(env, "freeze_card", {"card_id": new["card_id"]})["status"] == "frozen"


def test_report_lost_card_on_frozen_account_gets_frozen_replacement(env):
    card = card_where(env, "c.status = 'frozen' AND a.status = 'frozen'")
    got = ok(env, "report_card_lost", {"card_id": card["card_id"]})
    assert got["status"] == "lost" and got["replacement"]["status"] == "frozen"


def test_report_card_lost_errors(env):
    fails(env, "report_card_lost", {"card_id": "CRD-3"}, "card CRD-3 not found")
    lost = card_where(env, "c.status = 'lost'")
    fails(env, "report_card_lost", {"card_id": lost["card_id"]}, "already reported lost",
          f"replacement is card {lost['replacement_card_id']}")
    cancelled = card_where(env, "c.status = 'cancelled'")
    fails(env, "report_card_lost", {"card_id": cancelled["card_id"]}, "is cancelled")
