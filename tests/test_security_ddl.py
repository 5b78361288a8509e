"""Issue 15 class 3: TABLES holds only plain CREATE TABLE column definitions.

Each hostile TABLES fails the load with a typed EnvLoadError naming what is not allowed,
before anything runs in DuckDB (no hang, no file, no non-replayable default), and the
engine loads and answers a clean env as before.
"""

from __future__ import annotations

import pytest
from envkit import load_many

from sandbox import EnvLoadError
from sandbox.ddl_policy import DdlViolation, checked_tables

SEEDLESS = '''"""DDL probe."""
from sandbox.authoring import Db, Fake, tool

TABLES = {tables!r}


def seed(db: Db, fake: Fake) -> None:
    pass


@tool
def ping(db: Db) -> int:
    """Count the tables' rows."""
    return 1
'''

# (name, TABLES, fragment of the error)
HOSTILE = [
    ("ctas_over_huge_range", "CREATE TABLE t AS SELECT range AS id FROM range(1000000000000)",
     "no CREATE TABLE ... AS"),
    ("default_random", "CREATE TABLE t (id INTEGER PRIMARY KEY, r DOUBLE DEFAULT random())",
     "DEFAULT takes a constant"),
    ("default_current_timestamp", "CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP DEFAULT current_timestamp)",
     "DEFAULT takes a constant"),
    ("default_expression", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER DEFAULT (1 + 1))",
     "DEFAULT takes a constant"),
    ("default_nextval", "CREATE TABLE t (id INTEGER PRIMARY KEY DEFAULT nextval('s'))", "DEFAULT takes a constant"),
    ("check_constraint", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > random()))",
     "CHECK is not allowed"),
    ("table_check", "CREATE TABLE t (id INTEGER PRIMARY KEY, CHECK (id > 0))", "CHECK is not allowed"),
    ("collate_nocase_key", "CREATE TABLE t (id VARCHAR COLLATE NOCASE PRIMARY KEY)", "COLLATE is not allowed"),
    ("generated_column", "CREATE TABLE t (id INTEGER PRIMARY KEY, g DOUBLE GENERATED ALWAYS AS (random()))",
     "GENERATED is not allowed"),
    ("generated_short", "CREATE TABLE t (id INTEGER PRIMARY KEY, g AS (id * 2))", "type AS is not allowed"),
    ("references", "CREATE TABLE t (id INTEGER PRIMARY KEY, o INTEGER REFERENCES t (id))", "REFERENCES is not allowed"),
    ("create_view", "CREATE VIEW v AS SELECT 1", "only CREATE TABLE statements"),
    ("create_macro", "CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE MACRO m() AS now()",
     "only CREATE TABLE statements"),
    ("create_temp", "CREATE TEMP TABLE t (id INTEGER PRIMARY KEY)", "only CREATE TABLE statements"),
    ("create_or_replace", "CREATE OR REPLACE TABLE t (id INTEGER PRIMARY KEY)", "only CREATE TABLE statements"),
    ("if_not_exists", "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)", "IF NOT EXISTS is not allowed"),
    ("attach_after", "CREATE TABLE t (id INTEGER PRIMARY KEY); ATTACH 'x.db' AS x", "only CREATE TABLE statements"),
    ("pragma_after", "CREATE TABLE t (id INTEGER PRIMARY KEY); PRAGMA enable_profiling",
     "only CREATE TABLE statements"),
    ("copy_after", "CREATE TABLE t (id INTEGER PRIMARY KEY); COPY t TO 'x.csv'", "only CREATE TABLE statements"),
    ("comment_hides_nothing", "CREATE TABLE t (id INTEGER PRIMARY KEY /* ; */, n INTEGER DEFAULT -- x\n random())",
     "DEFAULT takes a constant"),
    ("hidden_schema", "CREATE TABLE __toolace.t (id INTEGER PRIMARY KEY)", "schema __toolace"),
    ("quoted_hidden_schema", 'CREATE TABLE "__TOOLACE"."t" (id INTEGER PRIMARY KEY)', "schema __toolace"),
    ("unicode_name", "CREATE TABLE té (id INTEGER PRIMARY KEY)", "plain ASCII identifiers"),
    ("timestamptz", "CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMPTZ)", "type TIMESTAMPTZ is not allowed"),
    ("map_type", "CREATE TABLE t (id INTEGER PRIMARY KEY, m MAP(VARCHAR, INTEGER))", "type MAP is not allowed"),
    ("escape_string_default", "CREATE TABLE t (id INTEGER PRIMARY KEY, s VARCHAR DEFAULT E'\\x41')",
     "only plain 'text' constants"),
    ("dollar_string_default", "CREATE TABLE t (id INTEGER PRIMARY KEY, s VARCHAR DEFAULT $$x$$)",
     "only plain 'text' constants"),
    ("cast_default", "CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE DEFAULT '2026-01-01'::DATE)",
     "is not allowed in TABLES"),
    ("deep_nesting", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER[][][][][][])", "nest at most"),
    ("insert_statement", "INSERT INTO t VALUES (1)", "only CREATE TABLE statements"),
]


@pytest.fixture(scope="module")
def ddl_loads(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ddl")
    sources = {name: SEEDLESS.format(tables=tables) for name, tables, _ in HOSTILE}
    sources["clean"] = SEEDLESS.format(tables="CREATE TABLE t (id INTEGER PRIMARY KEY)")
    results = load_many(directory, sources)
    yield directory, results
    for result in results.values():
        if not isinstance(result, EnvLoadError):
            result.close()


@pytest.mark.parametrize(("name", "tables", "fragment"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_tables_fail_the_load(ddl_loads, name: str, tables: str, fragment: str):
    directory, results = ddl_loads
    result = results[name]
    assert isinstance(result, EnvLoadError), f"the module loaded: {name}"
    message = result.problems[0][2]
    assert message.startswith("TABLES: "), message
    assert fragment in message, message
    assert sorted(p.name for p in directory.iterdir()) == sorted(f"{n}.py" for n in results)  # no file made
    clean = results["clean"]
    assert not isinstance(clean, EnvLoadError), clean
    assert clean.call("ping").ok and clean.query("SELECT count(*) AS n FROM t") == [{"n": 0}]


def test_plain_tables_become_canonical_statements():
    statements = checked_tables(
        "create table Orders (\n  id varchar primary key, -- the key\n  n int not null default -3,\n"
        "  price decimal(10,2) default 1.5, tags varchar[] default NULL, ok bool default true,\n"
        "  addr struct(city text, zip varchar) not null, \"day\" date unique, at timestamp,\n"
        "  UNIQUE (n, at)\n);\nCREATE TABLE b (x BIGINT, y DOUBLE, PRIMARY KEY (x));")
    assert statements == [
        'CREATE TABLE "Orders" ("id" VARCHAR PRIMARY KEY, "n" INTEGER NOT NULL DEFAULT -3, '
        '"price" DECIMAL(10, 2) DEFAULT 1.5, "tags" VARCHAR[] DEFAULT NULL, "ok" BOOLEAN DEFAULT TRUE, '
        '"addr" STRUCT("city" VARCHAR, "zip" VARCHAR) NOT NULL, "day" DATE UNIQUE, "at" TIMESTAMP, '
        'UNIQUE ("n", "at"))',
        'CREATE TABLE "b" ("x" BIGINT, "y" DOUBLE, PRIMARY KEY ("x"))',
    ]


def test_constant_defaults_apply(tmp_path):
    from envkit import load_source

    source = SEEDLESS.format(tables="CREATE TABLE t (id INTEGER PRIMARY KEY, s VARCHAR DEFAULT 'it''s', "
                                    "n DOUBLE DEFAULT -2.5, b BOOLEAN DEFAULT FALSE)")
    source = source.replace("    pass\n", "    db.execute(\"INSERT INTO t (id) VALUES (1)\")\n", 1)
    env = load_source(tmp_path, "defaults", source)
    try:
        assert env.query("SELECT * FROM t") == [{"id": 1, "s": "it's", "n": -2.5, "b": False}]
    finally:
        env.close()


@pytest.mark.parametrize("tables", ["", "   ;  ;", "-- only a comment"])
def test_empty_tables_is_an_error(tables: str):
    with pytest.raises(DdlViolation, match="holds no statement"):
        checked_tables(tables)
