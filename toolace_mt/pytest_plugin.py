"""pytest plugin (entry point `pytest11`): recorded dialogues as regression tests, and
fixtures for hand-written tests of env modules.

- Files named `*.toolace.jsonl` (and any JSONL file given with `--toolace PATH`) are
  collected; each dialogue is one test that replays its recorded calls on a fresh env
  and asserts every output and the final state (regression.py).
- A record names a built-in env or an env file relative to an env directory: pass the
  directories with `--toolace-env-dir DIR` or the ini option `toolace_env_dirs`, or map
  names with `--toolace-env NAME=PATH` (records are untrusted: nothing else is loaded).
- `tool_env(name_or_path, seed=0)` loads an env for a test and closes it afterwards;
  `assert_diff(env, {...})` asserts what changed (state_assert.py).

The engine is imported only when a dialogue runs or a fixture is used, so a test run
without regression files pays nothing for the plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sandbox import Environment
    from toolace_mt.env_refs import EnvRefs
    from toolace_mt.jsonl import BadLine, RecordLine
    from toolace_mt.verifier.env_pool import EnvPool

SUFFIX = ".toolace.jsonl"
_POOL = pytest.StashKey["EnvPool"]()
_EXTRA = pytest.StashKey["list[Path]"]()
_REFS: pytest.StashKey[EnvRefs] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("toolace", "toolace-mt regression dialogues")
    group.addoption("--toolace", action="append", default=[], metavar="PATH",
                    help=f"collect this JSONL file of dialogue records as regression tests (repeatable; files "
                         f"named *{SUFFIX} are collected anyway)")
    group.addoption("--toolace-env-dir", action="append", default=[], metavar="DIR",
                    help="a directory of env files that recorded dialogues may name (repeatable)")
    group.addoption("--toolace-env", action="append", default=[], metavar="NAME=PATH",
                    help="the env file for dialogues whose env is NAME (as written, or its file name) (repeatable)")
    parser.addini("toolace_env_dirs", type="paths", default=[],
                  help="directories of env files that recorded dialogues may name (relative to the ini file)")


def pytest_configure(config: pytest.Config) -> None:
    paths = [Path(p) for p in config.getoption("toolace") or []]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise pytest.UsageError(f"--toolace: no such file: {', '.join(missing)}")
    config.stash[_EXTRA] = [p.resolve() for p in paths]
    from toolace_mt.env_refs import env_refs_from

    dirs = [Path(d) for d in config.getoption("toolace_env_dir") or []] + list(config.getini("toolace_env_dirs"))
    try:
        config.stash[_REFS] = env_refs_from(dirs, list(config.getoption("toolace_env") or []))
    except ValueError as exc:
        raise pytest.UsageError(str(exc).replace("--env-dir", "--toolace-env-dir")
                                .replace("--env ", "--toolace-env ")) from None


def pytest_unconfigure(config: pytest.Config) -> None:
    pool = config.stash.get(_POOL, None)
    if pool is not None:
        pool.close()
        del config.stash[_POOL]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    extra = parent.config.stash.get(_EXTRA, [])
    if file_path.name.endswith(SUFFIX) or (extra and file_path.resolve() in extra):
        return RegressionFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--toolace` files not reached by the normal collection (outside the test paths)."""
    seen = {item.path.resolve() for item in items if isinstance(item, RegressionItem)}
    for path in config.stash.get(_EXTRA, []):
        if path not in seen:
            items.extend(RegressionFile.from_parent(session, path=path).collect())


def _pool(config: pytest.Config) -> EnvPool:
    pool = config.stash.get(_POOL, None)
    if pool is None:
        from toolace_mt.verifier.env_pool import EnvPool

        pool = config.stash[_POOL] = EnvPool(refs=config.stash.get(_REFS, None))
    return pool


class RegressionFailure(Exception):
    """A dialogue that no longer replays as recorded; its message is the whole report."""


class RegressionFile(pytest.File):
    def collect(self) -> Iterator[RegressionItem]:
        from toolace_mt.jsonl import parse_line, read_lines

        names: set[str] = set()
        for number, text, last in read_lines(self.path):
            parsed = parse_line(str(self.path), number, text, last)
            record_id = getattr(getattr(parsed, "record", None), "id", None) or getattr(parsed, "record_id", None)
            name = record_id or f"line {number}"
            if name in names:
                name = f"{name} [line {number}]"
            names.add(name)
            yield RegressionItem.from_parent(self, name=name, parsed=parsed, line=number)


class RegressionItem(pytest.Item):
    def __init__(self, *, parsed: RecordLine | BadLine, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parsed = parsed
        self.line = line

    def runtest(self) -> None:
        from sandbox import SandboxError
        from toolace_mt.env_refs import EnvRefError
        from toolace_mt.evaluation.regression import replay_record
        from toolace_mt.jsonl import BadLine

        if isinstance(self.parsed, BadLine):
            raise RegressionFailure(f"{self.path}:{self.line}: not a dialogue record: {self.parsed.reason}")
        record = self.parsed.record
        try:
            env = _pool(self.config).fresh(record.env, record.seed)
        except EnvRefError as exc:
            text = str(exc).replace("--env-dir DIR", "--toolace-env-dir DIR (or the ini option toolace_env_dirs)")
            raise RegressionFailure(f"dialogue {record.id}: {text.replace('--env ', '--toolace-env ')}") from None
        except SandboxError as exc:
            raise RegressionFailure(f"dialogue {record.id}: env '{record.env}' cannot be loaded: {exc}") from None
        report = replay_record(record, env)
        if not report.passed:
            raise RegressionFailure(report.text())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        if isinstance(excinfo.value, RegressionFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"dialogue {self.name}"


@pytest.fixture
def tool_env(request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """`tool_env("retail", seed=3)` or `tool_env("envs/shop.py")` (a path relative to the
    working directory or to the test file): a seeded env, closed after the test."""
    from sandbox import load_env

    loaded: list[Environment] = []

    def make(name_or_path: str | Path, seed: int = 0) -> Environment:
        target: str | Path = name_or_path
        beside = request.path.parent / str(name_or_path)
        if str(name_or_path).endswith(".py") and not Path(name_or_path).is_file() and beside.is_file():
            target = beside
        env = load_env(target, seed=seed)
        loaded.append(env)
        return env

    yield make
    for env in loaded:
        env.close()


@pytest.fixture
def assert_diff() -> Callable[..., None]:
    """`assert_diff(env, {"orders": {"#W1001": {"status": "cancelled"}}}, since=None)`."""
    from toolace_mt.evaluation.state_assert import assert_diff as check

    return check
