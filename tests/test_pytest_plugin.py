"""The pytest plugin: recorded dialogues as regression tests (a clean file passes, a
changed env fails with the first diverging call and a per-table diff), `--toolace`,
and the `tool_env` / `assert_diff` fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import load_env
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.evaluation.state_assert import diff_problems

pytest_plugins = ["pytester"]

SHOP = '''"""A tiny shop: books with stock, loans."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE books (book_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, stock INTEGER NOT NULL);
CREATE TABLE loans (loan_id VARCHAR PRIMARY KEY, book_id VARCHAR NOT NULL, status VARCHAR NOT NULL);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("books", [{"book_id": "B%03d" % i, "title": "Book %d" % i, "stock": 3} for i in range(5)])


@tool
def get_book(db: Db, book_id: str) -> dict:
    """Look up one book.

    Args:
        book_id: The book's id, like "B001".
    """
    book = db.one("SELECT * FROM books WHERE book_id = ?", [book_id])
    if book is None:
        raise ToolError(f"book {book_id} not found")
    return book


@tool(writes=True)
def borrow_book(db: Db, book_id: str) -> dict:
    """Borrow a book.

    Args:
        book_id: The book to borrow.
    """
    book = get_book(db, book_id)
    loan_id = "L-%s-%d" % (book_id, book["stock"])
    db.execute("UPDATE books SET stock = stock - STEP WHERE book_id = ?", [book_id])
    db.execute("INSERT INTO loans VALUES (?, ?, ?)", [loan_id, book_id, "open"])
    return {"loan_id": loan_id, "stock_left": book["stock"] - STEP}
'''


def _shop(path: Path, step: int = 1) -> Path:
    path.write_text(SHOP.replace("STEP", str(step)), encoding="utf-8")
    return path


def _record_file(directory: Path, env_path: Path, name: str = "shop.toolace.jsonl") -> Path:
    """Two dialogues recorded on the env as it is now: one borrows, one only reads."""
    lines = []
    with load_env(env_path, seed=0) as env:
        builder = DialogueBuilder(env)
        builder.user("Please lend me B001 and tell me about B002.")
        builder.calls(("get_book", {"book_id": "B002"}))
        builder.calls(("borrow_book", {"book_id": "B001"}))
        builder.assistant("Done: loan L-B001-3, 2 left. B002 is Book 2.")
        lines.append(builder.record("borrow").to_json())
        env.reset()
        builder = DialogueBuilder(env)
        builder.user("Is B003 there?")
        builder.calls(("get_book", {"book_id": "B003"}))
        builder.assistant("Yes, 3 copies of Book 3.")
        lines.append(builder.record("read-only").to_json())
    path = directory / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_clean_regression_file_passes(pytester: pytest.Pytester) -> None:
    env = _shop(pytester.path / "shop.py")
    _record_file(pytester.path, env)
    pytester.makeini("[pytest]\ntoolace_env_dirs = .\n")  # where the records' env "shop.py" is found
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*shop.toolace.jsonl::borrow PASSED*", "*shop.toolace.jsonl::read-only PASSED*"])


def test_a_changed_env_fails_with_the_first_diverging_call_and_the_diff(pytester: pytest.Pytester) -> None:
    env = _shop(pytester.path / "shop.py")
    _record_file(pytester.path, env)
    _shop(env, step=2)  # a new version of the env: borrowing takes two copies
    result = pytester.runpytest("-p", "no:cacheprovider", "--toolace-env-dir", str(pytester.path))
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "dialogue borrow no longer replays as recorded" in out
    assert "env changed since recording: recorded sha256 " in out
    result.stdout.fnmatch_lines([
        '*first diverging call: call_2 borrow_book {"book_id": "B001"} (message 3)',
        '*  recorded: {"loan_id":"L-B001-3","stock_left":2}',
        '*  actual:   {"loan_id":"L-B001-3","stock_left":1}',
        "*final state, per table (expected vs actual):",
        "*  books:",
        '*    {"book_id": "B001"} stock: expected 2, got 1',
    ])
    assert "Traceback" not in out and "read-only" not in out.split("short test summary")[0].split("FAILURES")[1]


def test_toolace_option_collects_any_jsonl_and_bad_lines_fail(pytester: pytest.Pytester) -> None:
    env = _shop(pytester.path / "shop.py")
    data = _record_file(pytester.mkdir("elsewhere"), env, name="regress.jsonl")
    with data.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "half"}\n')
    tests = pytester.mkdir("tests")
    result = pytester.runpytest(str(tests), "--toolace", str(data), "-v", "-p", "no:cacheprovider",
                                "--toolace-env", f"shop.py={env}")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([f"*{data}:3: not a dialogue record: not a valid record: env: Field required*"])
    result = pytester.runpytest("--toolace", "missing.jsonl")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--toolace: no such file: missing.jsonl*"])


def test_plain_jsonl_files_are_not_collected(pytester: pytest.Pytester) -> None:
    env = _shop(pytester.path / "shop.py")
    _record_file(pytester.path, env, name="data.jsonl")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_fixtures_for_hand_written_tests(pytester: pytest.Pytester) -> None:
    _shop(pytester.path / "shop.py")
    pytester.makepyfile(test_shop='''
        def test_borrow(tool_env, assert_diff):
            env = tool_env("shop.py", seed=1)
            before = env.snapshot()
            loan = env.call("borrow_book", {"book_id": "B001"})
            assert loan.ok and loan.result == {"loan_id": "L-B001-3", "stock_left": 2}
            assert_diff(env, {"books": {"B001": {"stock": 2}}, "loans": {"L-B001-3": "added"}})
            assert_diff(env, {"books": {"B001": {"stock": 2}},
                              "loans": {"L-B001-3": {"added": {"status": "open"}}}}, since=before)
            assert not env.call("get_book", {"book_id": "B999"}).ok
            env.restore(before)
            assert_diff(env, {})

        def test_builtin_env(tool_env, assert_diff):
            env = tool_env("retail", seed=3)
            order = env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")
            order_id = order[0]["order_id"]
            assert env.call("cancel_order", {"order_id": order_id}).ok
            assert env.diff().summary().startswith("orders: 1 changed")

        def test_wrong_expectation(tool_env, assert_diff):
            env = tool_env("shop.py")
            env.call("borrow_book", {"book_id": "B001"})
            assert_diff(env, {"books": {"B001": {"stock": 1}}})
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: state diff differs from expected:",
        '*books {"book_id": "B001"} stock: expected 1, got 2',
        '*loans {"loan_id": "L-B001-3"}: not expected to change, but added: *',
    ])


def test_diff_problems_names_every_difference(tmp_path: Path) -> None:
    with load_env(_shop(tmp_path / "shop.py"), seed=0) as env:
        env.call("borrow_book", {"book_id": "B001"})
        assert diff_problems(env, {"books": {"B001": {"stock": 2}}, "loans": {"L-B001-3": "added"}}) == []
        assert diff_problems(env, {"books": {"B002": {"stock": 2}, "B001": {"title": "x"}},
                                   "loans": {("L-B001-3",): "removed"}}) == [
            'books {"book_id": "B001"} title: expected "x", got unchanged',
            'books {"book_id": "B001"} stock: not expected to change, but now 2',
            'books {"book_id": "B002"}: expected changed {"stock": 2}, but the row is unchanged',
            'loans {"loan_id": "L-B001-3"}: expected removed, but added',
        ]
        assert "nope: no such table; tables: books, loans" in diff_problems(env, {"nope": {}})
        with pytest.raises(ValueError, match=r"key \('a', 'b'\) does not fit the primary key \(book_id\)"):
            diff_problems(env, {"books": {("a", "b"): "added"}})
        assert json.loads(json.dumps(diff_problems(env, {}))) == [
            'books {"book_id": "B001"}: not expected to change, but changed {"stock": 2}',
            'loans {"loan_id": "L-B001-3"}: not expected to change, but added: '
            '{"loan_id": "L-B001-3", "book_id": "B001", "status": "open"}']
