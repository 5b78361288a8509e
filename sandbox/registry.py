"""Where env modules come from: a built-in name (tool_envs/<name>.py) or a path."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from sandbox.data_files import DataFileError, data_dir_of, env_digest, list_data_files
from sandbox.errors import UnknownEnv


@dataclass(frozen=True)
class EnvSource:
    name: str
    path: str
    source: str
    # sha256 of the source and of its data files: (env, digest, seed) fixes the initial state
    digest: str
    data_dir: str | None = None  # data/<name>/ beside the module, if it exists
    data_files: tuple[tuple[str, str], ...] = ()  # (file name, sha256) that db.data() may serve


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
    module = path.resolve()
    directory = data_dir_of(module)
    try:
        files = list_data_files(directory)
    except DataFileError as exc:
        raise UnknownEnv(f"env {path.stem}: {exc}") from exc
    return EnvSource(path.stem, str(module), source, env_digest(source, files),
                     str(directory) if files else None, files)
