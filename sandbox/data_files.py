"""Data files shipped beside an env module, read by its `seed()` through `db.data(name)`.

An env module `dir/<name>.py` may ship JSON files in `dir/data/<name>/`. The worker
cannot open files; it asks the engine, which serves only the regular files listed when
the env was resolved (plain names: no path separators, no `..`, no symlinks), checks
each against the sha256 recorded then, and parses it as JSON. The env digest covers
these files, so (env, env_digest, seed) still fixes the initial state.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

DATA_DIR = "data"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MAX_BYTES = 64 << 20


class DataFileError(Exception):
    """The file cannot be served (missing, not a regular file, changed, not JSON)."""


class DataNameViolation(DataFileError):
    """The name is not a plain file name: an attempt to reach outside the data directory."""


def data_dir_of(module_path: Path) -> Path:
    """Where the data files of the env module at `module_path` live."""
    return module_path.parent / DATA_DIR / module_path.stem


def list_data_files(directory: Path) -> tuple[tuple[str, str], ...]:
    """(name, sha256) of every regular file directly in `directory`, sorted by name.

    Symlinks, sub-directories and names that are not plain are left out (and so can
    never be served). A missing directory, or one that is itself a symlink, has no files.
    """
    try:
        if not stat.S_ISDIR(os.lstat(directory).st_mode):
            return ()
    except FileNotFoundError:
        return ()
    files = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if _PLAIN_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
            files.append((entry.name, hashlib.sha256(_read(directory, entry.name)).hexdigest()))
    return tuple(files)


def env_digest(source: str, files: tuple[tuple[str, str], ...]) -> str:
    """sha256 of the module source, and of each data file's name and sha256 if it has any.

    Without data files this is the sha256 of the source alone, as before data files existed.
    """
    digest = hashlib.sha256(source.encode())
    for name, sha in files:
        digest.update(f"\0{name}\0{sha}".encode())
    return digest.hexdigest()


def read_data_file(directory: Path | None, files: tuple[tuple[str, str], ...], name: Any) -> Any:
    """The parsed JSON of data file `name`, exactly as it was when the env was resolved."""
    if not isinstance(name, str) or not _PLAIN_NAME.match(name) or ".." in name:
        raise DataNameViolation(f"db.data() takes a plain file name (no '/', '..' or leading '.'), got {name!r}")
    known = dict(files)
    if directory is None or name not in known:
        listed = ", ".join(known) or "none"
        where = f" in {directory}" if directory is not None else ""
        raise DataFileError(f"no data file {name!r}{where} (regular files only, no symlinks); files: {listed}")
    if not name.endswith(".json"):
        raise DataFileError(f"data file {name!r} is not a .json file; db.data() serves parsed JSON")
    raw = _read(directory, name)
    if hashlib.sha256(raw).hexdigest() != known[name]:
        raise DataFileError(f"data file {name!r} changed since the env was loaded; reload the env")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataFileError(f"data file {name!r} is not valid JSON: {exc}") from exc


def _read(directory: Path, name: str) -> bytes:
    # O_NOFOLLOW: a file swapped for a symlink after listing is refused, not followed.
    try:
        fd = os.open(directory / name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise DataFileError(f"data file {name!r} cannot be opened: {exc.strerror}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DataFileError(f"data file {name!r} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(_MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > _MAX_BYTES:
        raise DataFileError(f"data file {name!r} is larger than {_MAX_BYTES >> 20} MiB")
    return raw
