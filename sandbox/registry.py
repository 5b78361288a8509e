"""Where env modules come from: a built-in name (tool_envs/<name>.py) or a path."""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import UnknownEnv


@dataclass(frozen=True)
class EnvSource:
    name: str
    path: str
    source: str
    digest: str  # sha256 of the source: (env, digest, seed) fixes the initial state


def builtin_dir() -> Path:
    # tool_envs is a data package: located, never imported (its modules are read as text).
    spec = importlib.util.find_spec("tool_envs")
    if spec is None or not spec.submodule_search_locations:
        raise UnknownEnv("the tool_envs package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.py") if not p.stem.startswith("_"))


def resolve(name_or_path: str | Path) -> EnvSource:
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".py") or path.is_file():
        if not path.is_file():
            raise UnknownEnv(f"env file {text} does not exist")
    else:
        path = builtin_dir() / f"{text}.py"
        if not text.isidentifier() or not path.is_file():
            names = ", ".join(builtin_names()) or "(none)"
            raise UnknownEnv(f"unknown env '{text}'; built-in envs: {names}; or give a path to a .py file")
    source = path.read_text(encoding="utf-8")
    return EnvSource(path.stem, str(path.resolve()), source, hashlib.sha256(source.encode()).hexdigest())
