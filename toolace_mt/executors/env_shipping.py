"""Env files sent to the nodes of a cluster, which may not share the driver's disk.

A built-in env travels as its name (the package is installed on every node). An env
file travels as its source and its data files, written on the node into a private
temporary directory under the same file name, so a record made there names the env and
its digest exactly as a record made on the driver would.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from sandbox.data_files import DATA_DIR, data_dir_of, list_data_files
from sandbox.registry import builtin_dir, builtin_names, resolve
from toolace_mt.env_refs import EnvRefs

MAX_SHIPPED_BYTES = 256 * 1024 * 1024  # env files plus their data, per run


class ShippedFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    relative: str  # inside the bundle's directory: "shop.py", "data/shop/prices.csv"
    content: bytes


class EnvBundle(BaseModel):
    """The env files of a run: `placed` maps each env as the user named it to its file
    inside the bundle (None: a built-in env, loaded by name); `files` is what must be
    written on a node to load them there."""

    model_config = ConfigDict(frozen=True)

    placed: dict[str, str | None]
    files: tuple[ShippedFile, ...] = ()

    def materialize(self) -> tuple[dict[str, str], Path | None]:
        """(env as given -> what to load on this node, the temporary directory to remove
        when done, None when every env is built in)."""
        if not self.files:
            return {env: env for env in self.placed}, None
        root = write_files(self.files)
        return {env: env if place is None else str(root / place) for env, place in self.placed.items()}, root


def write_files(files: tuple[ShippedFile, ...]) -> Path:
    """The files written into a new private temporary directory (removed by the caller)."""
    root = Path(tempfile.mkdtemp(prefix="toolace-mt-envs-")).resolve()
    try:
        for shipped in files:
            target = (root / shipped.relative).resolve()
            if root not in target.parents:
                raise ValueError(f"shipped env file {shipped.relative!r} would leave its directory")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(shipped.content)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


class _Packer:
    """Files read for sending, within MAX_SHIPPED_BYTES in all."""

    def __init__(self) -> None:
        self.files: list[ShippedFile] = []
        self.total = 0

    def add(self, relative: str, path: Path) -> None:
        content = path.read_bytes()
        self.total += len(content)
        if self.total > MAX_SHIPPED_BYTES:
            raise ValueError(f"the env files to send to the cluster exceed {MAX_SHIPPED_BYTES // 2**20} MiB")
        self.files.append(ShippedFile(relative=relative, content=content))

    def add_module(self, relative: str, module: Path) -> None:
        """An env module and its data files (data/<stem>/ beside it, as the registry reads them)."""
        self.add(relative, module)
        folder = PurePosixPath(relative).parent
        for name, _ in list_data_files(data_dir_of(module)):
            self.add(str(folder / DATA_DIR / module.stem / name), data_dir_of(module) / name)


def bundle_envs(envs: list[str]) -> EnvBundle:
    """Read the env files of `envs` (built-in envs travel as names); ValueError when they
    are too large to send. Each file gets its own directory: two env files of one name
    from two directories stay apart."""
    placed: dict[str, str | None] = {}
    packer = _Packer()
    for env in dict.fromkeys(envs):
        source = resolve(env)
        module = Path(source.path).resolve()
        if source.name in builtin_names() and module == (builtin_dir() / f"{source.name}.py").resolve():
            placed[env] = None
            continue
        placed[env] = f"env{len(placed)}/{module.name}"
        packer.add_module(placed[env], module)
    return EnvBundle(placed=placed, files=tuple(packer.files))


class EnvRefsBundle(BaseModel):
    """verify's `--env-dir` directories (their env modules and data files) and `--env`
    files, to rebuild the same EnvRefs on a node."""

    model_config = ConfigDict(frozen=True)

    refs: EnvRefs
    files: tuple[ShippedFile, ...] = ()

    def materialize(self) -> tuple[EnvRefs, Path | None]:
        if not self.files:
            return self.refs, None
        root = write_files(self.files)
        dirs = tuple(root / f"dir{i}" for i in range(len(self.refs.dirs)))
        named = {name: root / f"named{i}" / path.name for i, (name, path) in enumerate(self.refs.named.items())}
        return EnvRefs(dirs=dirs, named=named), root


def _env_modules(directory: Path) -> list[Path]:
    """The env modules a record may name under `directory`: regular .py files, no hidden
    or cache folders, no symlinks (EnvRefs would follow them; a node gets the file itself)."""
    found = []
    for path in sorted(directory.rglob("*.py")):
        parts = path.relative_to(directory).parts
        if any(part.startswith(".") or part == "__pycache__" for part in parts) or not path.is_file():
            continue
        found.append(path)
    return found


def bundle_env_refs(refs: EnvRefs) -> EnvRefsBundle:
    """Read what `refs` lets records name; ValueError when it is too large to send."""
    packer = _Packer()
    for i, directory in enumerate(refs.dirs):
        root = directory.resolve()
        for module in _env_modules(root):
            packer.add_module(f"dir{i}/{module.relative_to(root).as_posix()}", module.resolve())
    for i, path in enumerate(refs.named.values()):
        packer.add_module(f"named{i}/{path.name}", path.resolve())
    return EnvRefsBundle(refs=refs, files=tuple(packer.files))
