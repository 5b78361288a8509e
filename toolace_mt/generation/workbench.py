"""One env made ready for generation: live state, schema index, dependency graph, value
source and what each write tool can act on (see screening). Built once per env per
process (start-up ~0.4-1 s, screening included) and reset per dialogue."""

from __future__ import annotations

import copy
import functools
import random
import threading
from collections import OrderedDict
from typing import Any

from faker import Faker

from sandbox import CallResult, Environment, ToolSpec, load_env
from toolace_mt.generation.plan.actor_links import find_link
from toolace_mt.generation.plan.catalog import Catalog, build_catalog
from toolace_mt.generation.plan.item_links import find_item_links
from toolace_mt.generation.plan.preconditions import learn
from toolace_mt.generation.plan.screening import screen
from toolace_mt.generation.plan.values import Choice, RowIndex, ValueSource, value_key
from toolace_mt.verifier.user_language import described_runs


class Workbench:
    def __init__(self, env_ref: str, seed: int) -> None:
        self.env_ref = env_ref
        self.source = env_ref  # what it was loaded from (env_ref may be renamed for records)
        # keep_seed: siblings' envs are its twins, seeded by replaying its seeding (sandbox.seed_journal).
        self.env: Environment = load_env(env_ref, seed=seed, keep_seed=True)
        self.table_rows = TableRows()
        # A fixed Faker version is pinned in pyproject: its output is part of our determinism.
        self.values = ValueSource(self.env, None, Faker("en_US", use_weighting=False))
        self.catalog: Catalog = build_catalog(self.env, random.Random(f"catalog:{seed}"), self._probe)
        self.values.catalog = self.catalog
        self.values.preload()
        # Which writes enable which tools (log in, then act): see preconditions.
        self.preconditions = learn(self.env, sorted(self.tools.values(), key=lambda t: t.name),
                                   self._trial_proposal, random.Random(f"preconditions:{seed}"))
        self.preconditions.observe(self.env, self.catalog)
        # Whether a tool's plain proposals (values from columns) succeeded at start-up: in
        # the catalog's probes (reads) or in screening (writes, see `screen`).
        self.plain_ok: dict[str, bool] = {t.name: self.catalog.probes_ok.get(t.name, 0) > 0
                                          for t in self.tools.values() if not t.writes}
        for tool in sorted(self.tools.values(), key=lambda t: t.name):
            # List items that must be keys of rows tied to the call (a group's members)
            links = find_item_links(tool, self.values, self.catalog, self.trial,
                                    random.Random(f"items:{seed}:{tool.name}"))
            self.values.item_links.update({(tool.name, param): link for param, link in links.items()})
        for tool in sorted(self.tools.values(), key=lambda t: t.name):
            enabled = tool.name in self.preconditions.enabled_by
            if enabled and not tool.writes:
                self.plain_ok[tool.name] = True  # its probes failed only for want of the enabling write
            if tool.writes:
                rng = random.Random(f"screen:{seed}:{tool.name}")
                # Screened where it can succeed: after the enabling write, made as the owner of
                # each row tried (signed in as the diner whose order it is).
                enter = functools.partial(self.preconditions.enter_as, self.env, tool.name,
                                          propose=self._trial_proposal, rng=rng, tools=self.tools) \
                    if enabled else None
                succeeded, allowed = screen(tool, self.values, self.catalog, self.env.now.date(), self.trial,
                                            rng, enter)
                if enabled:
                    self.env.reset()
                elif not (succeeded and self.preconditions.reached(tool.name)):
                    # Its trials all failed: the caller may be the record's actor, not its owner
                    succeeded, allowed = self._linked(tool, rng) or (succeeded, allowed)
                self.plain_ok[tool.name] = succeeded
                if allowed is not None:
                    self.values.allow(tool.name, *allowed)
        self.system_prompt = (f"You are a helpful assistant with tools for this domain. "
                              f"{' '.join(self.env.description.split())} Use the tools to look things up and "
                              "make changes; never guess values you have not been given or shown.")

    def _linked(self, tool: ToolSpec, rng: random.Random) -> tuple[bool, tuple[str, RowIndex] | None] | None:
        """Screening again through an actor link, when one makes the write succeed (see
        actor_links): the records it can act on, and the callers who can act on them; None
        when no link does."""
        link = find_link(tool, self.values, self.catalog, self.trial, rng)
        if link is None:
            return None
        self.values.links[(tool.name, link.table)] = link
        succeeded, allowed = screen(tool, self.values, self.catalog, self.env.now.date(), self.trial, rng,
                                    link=link)
        records = allowed[1].rows if allowed is not None else self.values.table_rows(link.table)
        actors = {value_key(r.get(link.column)) for r in records}
        callers = [r for r in self.values.table_rows(link.caller_table)
                   if value_key(r.get(link.caller_column)) in actors]
        self.values.allow(tool.name, link.caller_table, RowIndex(callers))
        return succeeded, allowed

    def sibling(self) -> Workbench:
        """Another bench of the same env and seed, for another thread: its own live env
        (worker and state) and Faker, the start-up knowledge (catalog, preconditions,
        screening) shared, since it is the same for every instance of the env: learning it
        again is most of a bench's start-up, which a run with hundreds of dialogues in
        flight paid hundreds of times. The env is a twin (Environment.twin): seeded without
        running seed() again, and the call memo, state summaries and table rows of states
        already seen are shared, since state ids name the same states in every sibling."""
        twin = copy.copy(self)
        twin.env = self.env.twin()
        twin.values = copy.copy(self.values)  # rows and what screening allowed are shared
        twin.values.env = twin.env
        twin.values.fake = Faker("en_US", use_weighting=False)
        return twin

    def _probe(self, catalog: Catalog, tool: ToolSpec, rng: random.Random) -> dict[str, Any]:
        if self.values.catalog is None:
            self.values.catalog = catalog
            self.values.preload()  # the env is at its initial state while the catalog is built
        return self.values.propose(tool, rng).arguments

    def _trial_proposal(self, tool: ToolSpec, rng: random.Random, context: dict[str, Any] | None) -> Choice:
        return self.values.propose(tool, rng, context=context)

    @property
    def tools(self) -> dict[str, ToolSpec]:
        return self.catalog.tools

    @functools.cached_property
    def described_runs(self) -> frozenset[tuple[str, ...]]:
        """The word runs of every tool and parameter description (text a user cannot have
        read, kept out of their turns), computed once for the env, not per request turn."""
        texts = []
        for spec in self.tools.values():
            texts.append(spec.description or "")
            texts += [str(p.get("description") or "") for p in spec.parameters.get("properties", {}).values()
                      if isinstance(p, dict)]
        return described_runs(texts)

    def trial(self, name: str, arguments: dict[str, Any]) -> CallResult:
        """What the call does, for real, in the current state, which it leaves as it is."""
        return self.env.peek(name, arguments)

    def succeed(self, tool: ToolSpec, rng: random.Random, tries: int, known: dict[str, list[Any]] | None = None,
                context: dict[str, Any] | None = None,
                fallback: dict[str, Any] | None = None) -> tuple[Choice, CallResult] | None:
        """Proposals until one really succeeds (a trial), or None after `tries`: rows related
        to `context` first, then to `fallback` (the dialogue's user, kept to the end)."""
        for attempt in range(tries):
            scoped = context if attempt < tries // 2 else fallback
            choice = self.values.propose(tool, rng, known=known, context=scoped)
            result = self.trial(tool.name, choice.arguments)
            if result.ok:
                return choice, result
        return None

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The first 200 rows of a table by primary key, in the current committed state
        (shared: do not change them). Prompts show a few of them at each request."""
        key = (self.env.state_id, table)
        rows = self.table_rows.get(key)
        if rows is None:
            order = ", ".join(f'"{k}"' for k in self.catalog.primary_keys[table])
            rows = self.env.query(f'SELECT * FROM "{table}" ORDER BY {order} LIMIT 200')
            self.table_rows.put(key, rows)
        return rows

    def close(self) -> None:
        self.env.close()


class BenchShelf:
    """The workbenches of one process, by env, open until `close`: the first made for an
    env, then siblings of it (its start-up knowledge shared, see Workbench.sibling). The
    run's tool coverage probes one more sibling (`spare`) instead of building the env's
    bench again at the end of a run (~1.5 s CPU per generate command)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._first: dict[str, Workbench] = {}
        self._made: list[Workbench] = []
        self._lock = threading.Lock()
        self._env_locks: dict[str, threading.Lock] = {}

    def take(self, env: str) -> Workbench:
        """A bench of `env` for one thread: the first one, then siblings of it."""
        with self._lock:
            env_lock = self._env_locks.setdefault(env, threading.Lock())
        with env_lock:
            first = self._first.get(env)
            if first is None:
                made = self._first[env] = Workbench(env, self.seed)
            else:
                made = first.sibling()
        with self._lock:
            self._made.append(made)
        return made

    def spare(self, env: str) -> Workbench | None:
        """Another sibling of `env`'s first bench (closed with the shelf); None when this
        process made none (its attempts ran in other processes)."""
        with self._lock:
            first = self._first.get(env)
        return self.take(env) if first is not None else None

    def close(self) -> None:
        with self._lock:
            made, self._made, self._first = self._made, [], {}
        for bench in made:
            bench.close()


class TableRows:
    """Rows of tables by (state id, table), shared by the sibling benches of an env (their
    threads): the same state gives the same rows. The most recent MAX_ENTRIES are kept."""

    MAX_ENTRIES = 256

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, str], list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> list[dict[str, Any]] | None:
        with self._lock:
            rows = self._kept.get(key)
            if rows is not None:
                self._kept.move_to_end(key)
            return rows

    def put(self, key: tuple[str, str], rows: list[dict[str, Any]]) -> None:
        with self._lock:
            self._kept[key] = rows
            while len(self._kept) > self.MAX_ENTRIES:
                self._kept.popitem(last=False)
