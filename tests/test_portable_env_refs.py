"""Issue 17, portable env references: a record names a built-in env or an env file
relative to a directory the user passes; a dataset made in one place verifies after its
env directory moved; digest changes are reported; nothing outside the passed
directories is read."""

from __future__ import annotations

import builtins
import io
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from sandbox import load_env
from sandbox.registry import builtin_dir, resolve
from toolace_mt.cli import main
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.env_refs import EnvRefError, EnvRefs, portable_env_ref

pytest_plugins = ["pytester"]

LIBRARY = '''"""A tiny library: books with stock."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE books (book_id VARCHAR PRIMARY KEY, stock INTEGER NOT NULL);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("books", [{"book_id": "B%03d" % i, "stock": 3} for i in range(3)])


@tool(writes=True)
def borrow_book(db: Db, book_id: str) -> dict:
    """Borrow a book.

    Args:
        book_id: The book to borrow, like "B001".
    """
    book = db.one("SELECT * FROM books WHERE book_id = ?", [book_id])
    if book is None:
        raise ToolError(f"book {book_id} not found")
    db.execute("UPDATE books SET stock = stock - 1 WHERE book_id = ?", [book_id])
    return {"book_id": book_id, "stock_left": book["stock"] - 1}
'''


def _dataset(directory: Path) -> tuple[Path, Path]:
    """(env file, data file) made in `directory`/envs and `directory`/data."""
    envs, data = directory / "envs", directory / "data"
    envs.mkdir(parents=True)
    data.mkdir()
    source = envs / "library.py"
    source.write_text(LIBRARY, encoding="utf-8")
    with load_env(source, seed=0) as env:
        builder = DialogueBuilder(env)
        builder.user("Please lend me book B001.")
        builder.calls(("borrow_book", {"book_id": "B001"}))
        builder.assistant("Done: B001 is yours, 2 copies are left.")
        record = builder.record("borrow")
    path = data / "d.jsonl"
    path.write_text(record.to_json() + "\n", encoding="utf-8")
    return source, path


def _verify(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["verify", *argv, "--json"])
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return code, row


def _moved(tmp_path: Path) -> tuple[Path, Path]:
    """A dataset made on "machine a", its env directory then moved to "machine b"."""
    source, data = _dataset(tmp_path / "machine-a")
    assert json.loads(data.read_text())["env"] == "library.py"  # relative to the env's directory
    moved = tmp_path / "machine-b" / "shared-envs"
    moved.parent.mkdir()
    shutil.move(str(source.parent), str(moved))
    return moved, data


def test_a_dataset_verifies_after_its_env_dir_moved(tmp_path: Path, capsys) -> None:
    moved, data = _moved(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    code, row = _verify(str(data), "--env-dir", str(tmp_path / "elsewhere"), "--env-dir", str(moved), capsys=capsys)
    assert code == 0 and row["passed"], row


def test_a_moved_env_dir_not_passed_is_named_in_the_failure(tmp_path: Path, capsys) -> None:
    _, data = _moved(tmp_path)
    code, row = _verify(str(data), capsys=capsys)
    assert code == 1 and row["failures"][0]["check"] == "replay"
    assert "'library.py' is an env file: pass the directory holding it with --env-dir DIR" in \
        row["failures"][0]["message"]
    (tmp_path / "elsewhere").mkdir()
    code, row = _verify(str(data), "--env-dir", str(tmp_path / "elsewhere"), capsys=capsys)
    assert code == 1 and "not under the env directories passed" in row["failures"][0]["message"]


def test_a_changed_env_is_a_digest_mismatch(tmp_path: Path, capsys) -> None:
    source, data = _dataset(tmp_path)
    source.write_text(LIBRARY + "\n# edited after the dataset was made\n", encoding="utf-8")
    code, row = _verify(str(data), "--env-dir", str(source.parent), capsys=capsys)
    assert code == 1
    assert [f["check"] for f in row["failures"]] == ["replay"]
    assert "env digest mismatch: the record was made with env 'library.py'" in row["failures"][0]["message"]


def test_an_old_absolute_path_resolves_by_file_name_under_an_env_dir_only(tmp_path: Path, capsys) -> None:
    source, data = _dataset(tmp_path)
    record = json.loads(data.read_text())
    record["env"] = "/home/someone-else/project/envs/library.py"
    data.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, row = _verify(str(data), capsys=capsys)
    assert code == 1 and "pass the directory holding it with --env-dir" in row["failures"][0]["message"]
    code, row = _verify(str(data), "--env-dir", str(source.parent), capsys=capsys)
    assert code == 0 and row["passed"]


def test_a_path_outside_the_env_dirs_is_refused_without_being_read(tmp_path: Path, monkeypatch, capsys) -> None:
    _, data = _dataset(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "library.py"
    secret.write_text(LIBRARY.replace("A tiny library", "SECRET_MARKER_77"), encoding="utf-8")
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "link.py").symlink_to(secret)
    opened: list[str] = []
    real_open = io.open

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr(builtins, "open", spy)
    record = json.loads(data.read_text())
    lines = []
    for ref in ("../outside/library.py", str(secret), "link.py", "/etc/passwd", "~/.netrc", "inside/../outside/x.py"):
        lines.append(json.dumps({**record, "env": ref}))
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["verify", str(data), "--json", "--env-dir", str(inside)]) == 1
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert [r["passed"] for r in rows] == [False] * 6
    assert all(r["failures"][0]["check"] == "replay" and "env" in r["failures"][0]["message"] for r in rows)
    assert not [p for p in opened if p.startswith(str(outside)) or p.endswith(("passwd", ".netrc", "link.py"))]
    assert "SECRET_MARKER_77" not in out.out + out.err


@pytest.mark.parametrize(("ref", "found"), [
    ("retail", "retail"),
    ("library.py", "envs/library.py"),
    ("sub/library.py", "envs/sub/library.py"),
    ("gone/sub/library.py", "envs/library.py"),  # a path that is not there: its file name is looked up
    ("/old/abs/library.py", "envs/library.py"),
    ("C:\\old\\library.py", "envs/library.py"),
    ("../library.py", "envs/library.py"),  # never the parent's file: the name is looked up inside
])
def test_env_refs_resolve_only_inside_the_dirs(tmp_path: Path, ref: str, found: str) -> None:
    (tmp_path / "envs" / "sub").mkdir(parents=True)
    (tmp_path / "library.py").write_text("outside", encoding="utf-8")
    (tmp_path / "envs" / "library.py").write_text("inside", encoding="utf-8")
    (tmp_path / "envs" / "sub" / "library.py").write_text("deeper", encoding="utf-8")
    resolved = EnvRefs(dirs=(tmp_path / "envs",)).resolve(ref)
    assert resolved == found if found == "retail" else Path(resolved) == (tmp_path / found).resolve()


@pytest.mark.parametrize(("ref", "message"), [
    ("/etc/passwd", "unknown env '/etc/passwd': not a built-in env"),
    ("notes.txt", "unknown env 'notes.txt'"),
    ("x" * 600, "is not a name or a relative path"),
    ("a\nb.py", "is not a name or a relative path"),
    ("", "is not a name or a relative path"),
    ("missing.py", "not under the env directories passed"),
])
def test_env_refs_refuse_with_a_reason(tmp_path: Path, ref: str, message: str) -> None:
    with pytest.raises(EnvRefError) as refused:
        EnvRefs(dirs=(tmp_path,)).resolve(ref)
    assert message in str(refused.value)
    assert len(str(refused.value)) < 500  # a long reference is shortened in the message


def test_the_explicit_map_wins_and_matches_by_file_name(tmp_path: Path) -> None:
    target = tmp_path / "v2.py"
    target.write_text("x", encoding="utf-8")
    refs = EnvRefs(named={"library.py": target, "retail": target})
    assert refs.resolve("library.py") == str(target) == refs.resolve("/old/abs/library.py")
    assert refs.resolve("retail") == str(target)  # the user's map may stand in for a built-in
    assert EnvRefs().resolve("banking") == "banking"


def test_portable_ref_of_a_builtin_is_its_name_and_of_a_copy_its_file_name(tmp_path: Path) -> None:
    assert portable_env_ref(resolve("retail")) == "retail"
    copy = tmp_path / "retail.py"
    shutil.copy(builtin_dir() / "retail.py", copy)
    assert portable_env_ref(resolve(str(copy))) == "retail.py"


@pytest.mark.parametrize(("argv", "message"), [
    (["--env-dir", "no/such/dir"], "--env-dir: no such directory: no/such/dir"),
    (["--env", "library.py"], "--env expects NAME=PATH"),
    (["--env", "library.py=no/such.py"], "--env library.py: no such file: no/such.py"),
])
def test_bad_env_options_exit_2(tmp_path: Path, argv: list[str], message: str, capsys) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("{}\n", encoding="utf-8")
    for command in (["verify", str(data)], ["eval", str(data), "--agent", "gold"]):
        assert main([*command, *argv]) == 2
        assert message in capsys.readouterr().err


@pytest.mark.slow
def test_generate_writes_portable_refs_and_resume_and_eval_follow_the_moved_env(tmp_path: Path, capsys) -> None:
    made = tmp_path / "a" / "envs"
    made.mkdir(parents=True)
    shutil.copy(builtin_dir() / "banking.py", made / "bank.py")
    out = tmp_path / "data.jsonl"
    assert main(["generate", "--env", str(made / "bank.py"), "-n", "2", "-o", str(out)]) == 0
    assert {json.loads(line)["env"] for line in out.read_text().splitlines()} == {"bank.py"}
    # --resume matches the records' portable reference with the env given as a path
    assert main(["generate", "--env", str(made / "bank.py"), "-n", "3", "-o", str(out), "--resume"]) == 0
    assert len(out.read_text().splitlines()) == 3
    moved = tmp_path / "b" / "envs"
    moved.parent.mkdir()
    shutil.move(str(made), str(moved))
    capsys.readouterr()
    assert main(["verify", str(out), "--env-dir", str(moved)]) == 0
    assert main(["eval", str(out), "--agent", "gold", "--env-dir", str(moved)]) == 0


README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_ini_example_finds_the_env_dir_for_the_plugin(pytester: pytest.Pytester) -> None:
    section = README.split("## Regression tests with pytest\n", 1)[1].split("\n## ", 1)[0]
    [ini] = re.findall(r"```ini\n(.*?)```", section, re.S)
    _, data = _dataset(pytester.path)
    shutil.move(str(data), str(pytester.path / "library.toolace.jsonl"))
    pytester.makeini(ini)
    result = pytester.runpytest("-p", "no:cacheprovider", "library.toolace.jsonl")
    result.assert_outcomes(passed=1)


@pytest.mark.slow
def test_the_readme_portable_example_runs_scaled_down(tmp_path: Path, monkeypatch, capsys) -> None:
    section = README.split("### Portable env references\n", 1)[1].split("\n### ", 1)[0]
    [block] = re.findall(r"```bash\n(.*?)```", section, re.S)
    generate, verify = (shlex.split(line.split("#")[0]) for line in block.strip().splitlines())
    made, shared = tmp_path / "work" / "envs", tmp_path / "mnt" / "shared" / "envs"
    made.mkdir(parents=True)
    shutil.copy(builtin_dir() / "retail.py", made / "shop.py")
    monkeypatch.chdir(tmp_path)
    generate = [w.replace("~/work/envs", str(made)).replace("100", "2") for w in generate]
    assert main(generate[1:]) == 0
    shutil.move(str(made), str(shared))
    assert main([w.replace("/mnt/shared/envs", str(shared)) for w in verify[1:]]) == 0
    assert "passed" in capsys.readouterr().out


def test_verifier_refuses_env_refs_beside_a_pool_that_would_ignore_them(tmp_path: Path) -> None:
    from toolace_mt.verifier import Verifier
    from toolace_mt.verifier.env_pool import EnvPool

    refs = EnvRefs(dirs=(tmp_path,))
    with pytest.raises(ValueError, match=r"give env_refs to the EnvPool"):
        Verifier(pool=EnvPool(), env_refs=refs)
    pool = EnvPool(refs=refs)
    with Verifier(pool=pool, env_refs=refs) as verifier:  # the same refs: no conflict
        assert verifier.pool.refs is refs
