"""Portable env references: how a record names its env, and how a reader finds it.

A record's `env` is a built-in env name ("retail") or an env file's path relative to an
env directory ("shop.py", "billing/v2.py"), so a dataset made on one machine verifies on
another. Records are untrusted: a reference resolves only to a built-in env, to a `.py`
file inside a directory the user passes (`--env-dir`), or through the user's explicit
map (`--env NAME=PATH`). Anything else is refused before any file is opened, so a record
naming `/home/me/.netrc` gets the file neither compiled nor read nor printed.

Records of older versions carry absolute paths: those resolve only by their file name,
inside a passed directory.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from pydantic import BaseModel, ConfigDict, Field

from sandbox import Environment
from sandbox.errors import UnknownEnv
from sandbox.registry import EnvSource, builtin_dir, builtin_names


class EnvRefError(UnknownEnv):
    """A record's env reference that resolves to no env the user allowed."""


def _shown(ref: str) -> str:
    return ref if len(ref) <= 120 else ref[:119] + "…"


def portable_env_ref(env: Environment | EnvSource) -> str:
    """What a record written from `env` names: its built-in name when it is the built-in
    file itself, else its file name (relative to its own directory: pass that directory
    to `--env-dir` where the dataset is read)."""
    path = Path(env.path).resolve()
    if env.name in builtin_names() and path == (builtin_dir() / f"{env.name}.py").resolve():
        return env.name
    return path.name


def run_env_refs(envs: list[str], env_dir: Path | None = None) -> dict[str, str]:
    """What the records of one generate run name for each `--env`: a built-in name, or the
    env file's path relative to `env_dir` (else to the deepest directory holding all the
    run's env files), in POSIX form. Two files of one name in different directories get
    different references ("a/shop.py", "b/shop.py"); the digest still tells sources apart.
    ValueError when a file is outside `env_dir`."""
    files: dict[str, Path] = {}
    refs: dict[str, str] = {}
    for env in envs:
        path = Path(env)
        if env in builtin_names() and not (env.endswith(".py") and path.is_file()):
            refs[env] = env
        elif path.resolve() == (builtin_dir() / path.name).resolve() and path.stem in builtin_names():
            refs[env] = path.stem
        else:
            files[env] = path.resolve()
    if not files:
        return refs
    if env_dir is not None:
        root = env_dir.resolve()
        outside = [env for env, path in files.items() if not path.is_relative_to(root)]
        if outside:
            raise ValueError(f"--env {outside[0]} is not inside --env-dir {env_dir}: records name env files by "
                             "their path relative to it")
    else:
        root = Path(os.path.commonpath([str(p.parent) for p in files.values()]))
    for env, path in files.items():
        refs[env] = path.relative_to(root).as_posix()
    return refs


def parse_env_map(items: list[str]) -> dict[str, Path]:
    """`--env NAME=PATH` options as a map; raises ValueError with the offending item."""
    mapping: dict[str, Path] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ValueError(f"--env expects NAME=PATH (e.g. shop.py=envs/shop.py), got {item!r}")
        target = Path(path.strip())
        if not target.is_file():
            raise ValueError(f"--env {name.strip()}: no such file: {target}")
        mapping[name.strip()] = target
    return mapping


class EnvRefs(BaseModel):
    """Where the user allows env files to come from (picklable: sent to verify's workers)."""

    model_config = ConfigDict(frozen=True)

    dirs: tuple[Path, ...] = Field(default=(), description="--env-dir: env files are looked up inside these")
    named: dict[str, Path] = Field(default_factory=dict, description="--env NAME=PATH: explicit files")

    def resolve(self, ref: str) -> str:
        """The built-in name or the file path to load for a record's `env`; EnvRefError
        (the reason, never any file content) when the user allowed no such env."""
        if not ref or len(ref) > 512 or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in ref):
            # control characters, and lone surrogates (no file name can hold one)
            raise EnvRefError(f"env reference {_shown(ref)!r} is not a name or a relative path")
        posix, windows = PurePosixPath(ref), PureWindowsPath(ref)
        file_name = windows.name if "\\" in ref else posix.name
        for key in (ref, file_name):
            if key in self.named:
                return str(self.named[key])
        if ref in builtin_names():
            return ref
        if not file_name.endswith(".py"):
            raise EnvRefError(f"unknown env {_shown(ref)!r}: not a built-in env ({', '.join(builtin_names())}) nor "
                              "an env file (.py), which is found under --env-dir DIR or given with --env NAME=PATH")
        candidates: list[str] = []
        relative = not (posix.is_absolute() or windows.is_absolute() or windows.drive)
        if relative and ".." not in posix.parts and "\\" not in ref:
            candidates.append(ref)
        if file_name not in candidates:
            candidates.append(file_name)
        for directory in self.dirs:
            root = directory.resolve()
            for candidate in candidates:
                found = _file_inside(root, candidate)
                if found is not None:
                    return str(found)
        if not self.dirs:
            raise EnvRefError(f"env {_shown(ref)!r} is an env file: pass the directory holding it with --env-dir DIR "
                              f"(or --env {file_name}=PATH)")
        where = ", ".join(str(d) for d in self.dirs)
        raise EnvRefError(f"env {_shown(ref)!r} is not under the env directories passed ({_shown(where)}): no "
                          f"{' or '.join(candidates)} inside them (files outside them are never read)")


def _file_inside(root: Path, candidate: str) -> Path | None:
    """`root / candidate` with its links followed, if that is a regular file inside `root`.
    A name too long for the file system (ENAMETOOLONG) or a link loop in a record's
    reference is no file: None, never an OSError or RuntimeError out of verify."""
    try:
        path = (root / candidate).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None
    except (OSError, RuntimeError, ValueError):
        return None


def add_env_ref_arguments(parser: argparse.ArgumentParser) -> None:
    """--env-dir and --env, one definition for verify and eval (read by env_refs_from)."""
    parser.add_argument("--env-dir", action="append", default=[], type=Path, metavar="DIR",
                        help="a directory of env files that records may name by a path relative to it (repeatable; "
                             "built-in envs need none)")
    parser.add_argument("--env", action="append", default=[], dest="env_map", metavar="NAME=PATH",
                        help="the env file for records whose env is NAME (as written, or its file name) (repeatable)")


def env_refs_from(dirs: list[Path], env_map: list[str]) -> EnvRefs:
    """The user's env directories and map; ValueError naming a missing directory or a bad item."""
    missing = [str(d) for d in dirs if not d.is_dir()]
    if missing:
        raise ValueError(f"--env-dir: no such directory: {', '.join(missing)}")
    return EnvRefs(dirs=tuple(dirs), named=parse_env_map(env_map))
