"""Issue 15 class 2 (and the SQL part of class 5): the SQL policy is an allow-list.

Attacks hide a denied function, a catalog read or a snapshot access behind non-ASCII
text (DuckDB's tokens are byte offsets), comments, quoting, casing, CTEs, subqueries,
method-call syntax and SQL hidden in string literals. Each fails as a SandboxViolation,
changes no state (write tools first change a row, which must be rolled back) and leaves
the engine answering as before.
"""

from __future__ import annotations

import pytest
from envkit import load_source, module_source, tool_source

from sandbox.sql_policy import SqlPolicy

TOUCH = 'db.execute("UPDATE items SET qty = qty + 100")\n'

# (name, SQL, fragment of the violation, write tool?)
ATTACKS = [
    # the byte-offset bug: text before a name shifts every slice after it
    ("unicode_then_now", "SELECT 'é' AS a, now() AS b", "now is not allowed", False),
    ("unicode_identifier_then_random", 'SELECT "ñ" FROM (SELECT 1 AS "ñ") WHERE random() < 2', "random", False),
    ("emoji_then_query", "SELECT '🙂🙂🙂', * FROM query('SELECT 1')", "query is not allowed", False),
    ("unicode_then_hidden_read", "SELECT 'éééé' AS x, * FROM __toolace.v2_items", "schema __toolace", False),
    ("unicode_then_hidden_write", "UPDATE __toolace.v2_items SET qty = 'ü' = 'ü'", "schema __toolace", True),
    ("unicode_then_catalog", "SELECT 'ßßß', * FROM duckdb_settings()", "duckdb_settings", False),
    # SQL hidden in text
    ("serialized_sql", "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM items'))",
     "json_execute_serialized_sql", False),
    ("serialize_only", "SELECT json_serialize_sql('SELECT 1') AS s", "json_serialize_sql", False),
    ("query_table_text", "SELECT * FROM query_table('__toolace.v2_items')", "query_table", False),
    # spelling: quotes, casing, comments, method syntax
    ("quoted_function", 'SELECT "now"() AS t', "now is not allowed", False),
    ("cased_function", "SELECT NoW() AS t", "now is not allowed", False),
    ("comment_between_name_and_paren", "SELECT random/* x */() AS r", "random", False),
    ("line_comment_before_paren", "SELECT random -- x\n() AS r", "random", False),
    ("method_call_syntax", "SELECT qty.random() AS r FROM items", "random", False),
    ("schema_qualified_function", "SELECT main.random() AS r", "random", False),
    ("quoted_hidden_schema", 'SELECT * FROM "__TOOLACE"."v2_items"', "schema __toolace", False),
    ("catalog_qualified_hidden", "SELECT * FROM memory.__toolace.v2_items", "schema __toolace", False),
    ("system_catalog", "SELECT * FROM system.main.duckdb_tables", "schema system", False),
    ("information_schema", "SELECT * FROM information_schema.tables", "schema information_schema", False),
    ("pg_catalog", "SELECT * FROM pg_catalog.pg_tables", "schema pg_catalog", False),
    ("catalog_view_bare", "SELECT * FROM sqlite_master", "sqlite_master", False),
    # nesting
    ("cte_hides_now", "WITH x AS (SELECT now() AS t) SELECT * FROM x", "now", False),
    ("subquery_hides_uuid", "SELECT * FROM (SELECT (SELECT uuid()) AS u)", "uuid", False),
    ("insert_select_random", "INSERT INTO items SELECT 'X' || random(), 1", "random", True),
    ("update_default_clock", "UPDATE items SET qty = epoch(current_timestamp)", "current_timestamp", True),
    ("delete_with_hidden_join", "DELETE FROM items USING __toolace.v2_items AS s WHERE items.item_id = s.item_id",
     "schema __toolace", True),
    # non-replayable values (class 5)
    ("txid_current", "SELECT txid_current() AS t", "txid_current", False),
    ("current_transaction_id", "SELECT current_transaction_id() AS t", "current_transaction_id", False),
    ("using_sample", "SELECT * FROM items USING SAMPLE 2", "USING SAMPLE", False),
    ("tablesample", "SELECT * FROM items TABLESAMPLE 50%", "TABLESAMPLE", False),
    ("sample_in_subquery", "SELECT count(*) AS n FROM (SELECT * FROM items USING SAMPLE 10%)", "USING SAMPLE", False),
    ("bare_current_date", "SELECT current_date AS d", "current_date", False),
    ("getvariable", "SELECT getvariable('x') AS v", "getvariable", False),
    ("current_setting", "SELECT current_setting('threads') AS v", "current_setting", False),
    # statements other than SELECT/INSERT/UPDATE/DELETE
    ("pragma", "PRAGMA database_list", "PRAGMA statements", False),
    ("copy", "COPY items TO 'out.csv'", "COPY statements", True),
    ("attach", "ATTACH ':memory:' AS other", "ATTACH statements", True),
    ("export", "EXPORT DATABASE 'dump'", "EXPORT statements", True),
    ("call", "CALL duckdb_settings()", "CALL statements", False),
    ("set", "SET threads = 4", "SET statements", True),
    ("create_macro", "CREATE MACRO now2() AS now()", "CREATE statements", True),
    ("describe", "DESCRIBE items", "DESCRIBE", False),
    ("summarize", "SUMMARIZE items", "SUMMARIZE", False),
    ("table_function_in_from", "SELECT * FROM read_text('/etc/hostname')", "read_text", False),
    ("glob_in_from", "SELECT * FROM glob('/*')", "glob", False),
]


def _body(sql: str, writes: bool) -> str:
    call = f"db.execute({sql!r})" if writes else f"db.query({sql!r})"
    return (TOUCH if writes else "") + f"return {{'r': {call}}}"


PROBE = tool_source("probe", 'return {"items": db.query("SELECT * FROM items ORDER BY item_id")}', params={})
SNAPSHOT_WRITE = tool_source("snapshot_write", TOUCH + 'db.execute("UPDATE __toolace.v2_items SET qty = 999 '
                             'WHERE \'é\' <> \'\'")\nreturn {}', writes=True, params={})


@pytest.fixture(scope="module")
def sql_env(tmp_path_factory):
    parts = [tool_source(name, _body(sql, writes), writes=writes, params={}) for name, sql, _, writes in ATTACKS]
    env = load_source(tmp_path_factory.mktemp("sql"), "sql", module_source(PROBE, SNAPSHOT_WRITE, *parts), seed=3)
    yield env
    env.close()


@pytest.fixture(scope="module")
def baseline(sql_env):
    return sql_env.call("probe").result, sql_env.state_hash()


@pytest.mark.parametrize(("name", "sql", "fragment", "writes"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_sql_attack_is_refused(sql_env, baseline, name: str, sql: str, fragment: str, writes: bool):
    result = sql_env.call(name)
    assert result.error is not None, f"the statement ran: {result.result!r}"
    assert result.error.type == "SandboxViolation", result.error
    assert fragment in result.error.message, result.error
    assert sql_env.state_hash() == baseline[1]
    assert sql_env.call("probe").result == baseline[0]
    assert sql_env.call("ping").ok


def test_snapshots_survive_attacks_and_reset(sql_env, baseline):
    """A write to a snapshot would survive reset() with the seeded hash still reported."""
    result = sql_env.call("snapshot_write")
    assert result.error is not None and result.error.type == "SandboxViolation"
    sql_env.reset()
    assert sql_env.state_hash() == baseline[1]
    assert sql_env.query("SELECT max(qty) AS m FROM items") == [{"m": 4}]


@pytest.mark.parametrize("sql", [
    "SELECT 'é' AS e, item_id FROM items WHERE item_id = ?",
    "SELECT item_id, upper(item_id) AS u, strftime(TIMESTAMP '2026-01-02 03:04:05', '%Y') AS y FROM items",
    "SELECT count(*) AS n, sum(qty) AS s FROM items GROUP BY ALL",
    "WITH t AS (SELECT * FROM items) SELECT list(item_id ORDER BY item_id) AS l FROM t",
    "SELECT * FROM items i JOIN items j USING (item_id) WHERE i.qty > 0 ORDER BY item_id",
    "SELECT unnest([1, 2]) AS x, list_transform([1], lambda v: v + 1) AS y",
    "SELECT r.range AS n FROM range(3) AS r",
    "SELECT CAST(qty AS DECIMAL(10, 2)) AS q, date_part('year', DATE '2026-01-01') AS y FROM items",
])
def test_plain_statements_still_pass(sql):
    policy = SqlPolicy(frozenset({"items", "item_id", "qty"}), ("items",))
    assert policy.check(sql, writes_allowed=False) is False


def test_tables_named_uses_byte_offsets():
    policy = SqlPolicy(frozenset({"items", "orders", "item_id"}), ("items", "orders"))
    assert policy.tables_named("SELECT 'ééééééé' AS x FROM orders") == ("orders",)
    assert policy.tables_named("SELECT '🙂' AS x, * FROM items") == ("items",)


def test_a_lone_surrogate_is_a_violation_not_a_crash():
    policy = SqlPolicy(frozenset({"items"}), ("items",))
    with pytest.raises(Exception, match=r"not valid UTF-8|cannot be checked|unrecognised") as info:
        policy.check("SELECT '\ud800' AS x", writes_allowed=False)
    assert type(info.value).__name__ == "PolicyViolation"


def test_policy_caches_are_bounded_by_bytes():
    policy = SqlPolicy(frozenset({"items", "qty"}), ("items",))
    padding = " " * 200_000
    for i in range(40):  # 8 MB of distinct statements
        sql = f"SELECT qty + {i} AS q FROM items{padding}"
        assert policy.check(sql, writes_allowed=False) is False
        assert policy.tables_named(sql) == ("items",)
    assert sum(len(k) for k in policy._cache) <= 4 * 1024 * 1024
    assert sum(len(k) for k in policy._named) <= 4 * 1024 * 1024


def test_allow_list_holds_no_clock_random_catalog_or_sql_runner():
    from sandbox.sql_policy import allowed_functions, catalog

    allowed = allowed_functions()
    assert allowed <= catalog().functions  # every listed name is a real function of this DuckDB
    never = {"now", "today", "random", "uuid", "gen_random_uuid", "setseed", "txid_current",
             "current_transaction_id", "current_timestamp", "get_current_timestamp", "query", "query_table",
             "json_execute_serialized_sql", "json_serialize_sql", "getvariable", "current_setting", "read_csv",
             "read_text", "glob", "duckdb_tables", "duckdb_settings", "pragma_version", "reservoir_quantile"}
    assert not allowed & never
    assert {"lower", "sum", "count", "strftime", "list_transform", "unnest", "range", "json_extract"} <= allowed
