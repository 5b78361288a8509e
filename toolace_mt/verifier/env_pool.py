"""Loaded envs kept for reuse: loading and seeding costs ~0.3 s, restoring the initial
snapshot ~1 ms, and the restored state is the seeded one (same hash).

Envs are asked for by a record's `env` reference, which is untrusted: it is resolved by
the pool's EnvRefs (built-in names, files under the user's env directories, the user's
explicit map) and nothing else is loaded (see toolace_mt.env_refs)."""

from __future__ import annotations

from collections import OrderedDict

from sandbox import Environment, Limits, load_env
from toolace_mt.env_refs import EnvRefs


class EnvPool:
    def __init__(self, max_envs: int = 4, limits: Limits | None = None, memo_size: int = 4096,
                 refs: EnvRefs | None = None) -> None:
        self.max_envs = max_envs
        self.refs = refs or EnvRefs()
        self.limits = limits
        self.memo_size = memo_size  # see sandbox.call_memo; 0 runs every call
        self._envs: OrderedDict[tuple[str, int], Environment] = OrderedDict()
        self._lent: dict[tuple[str, int], Environment] = {}  # envs their owner closes (see adopt)
        self.loads = 0

    def fresh(self, env: str, seed: int) -> Environment:
        """The env at its seeded initial state. Raises UnknownEnv (EnvRefError: a
        reference the user allowed no env for) / EnvLoadError."""
        found = self.get(env, seed)
        found.reset()
        return found

    def get(self, env: str, seed: int) -> Environment:
        """The env in whatever state its last user left it (see Environment.remembered_run)."""
        key = (env, seed)
        if key in self._lent:
            return self._lent[key]
        loaded = self._envs.get(key)
        if loaded is None:
            loaded = load_env(self.refs.resolve(env), seed=seed, limits=self.limits, memo_size=self.memo_size)
            self.loads += 1
            self._envs[key] = loaded
            while len(self._envs) > self.max_envs:
                self._envs.popitem(last=False)[1].close()
        else:
            self._envs.move_to_end(key)
        return loaded

    def adopt(self, env: Environment, name: str) -> None:
        """Serve `env` (loaded and closed by its owner) for records of env `name`: the
        generator lends its env to its stage-3 gate, so calls already made on a state are
        not run again (see sandbox.call_memo)."""
        self._lent[(name, env.seed)] = env

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()

    def __enter__(self) -> EnvPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
