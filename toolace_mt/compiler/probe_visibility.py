"""Whether a write's effect shows: some read tool answers differently after the write (its
result, or whether and how it fails), from the state the write succeeded in or another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.environment import Environment
from sandbox.errors import CallResult
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import EnvPlan, ToolPlan
from toolace_mt.compiler.probe_args import ProbeArguments

if TYPE_CHECKING:
    from toolace_mt.compiler.probe import ToolProbe


class Visibility:
    """Finds, for each write of one env, a read tool that shows what it changed."""

    def __init__(self, env: Environment, plan: EnvPlan, arguments: ProbeArguments) -> None:
        self.env = env
        self.plan = plan
        self.arguments = arguments

    def mark(self, probes: dict[str, ToolProbe], seeded: Any, states: list[tuple[str, Any]], seed_label: str) -> None:
        """Set each successful write's `visible_through`: the first read whose answer it changes."""
        snaps = dict([(seed_label, seeded), *states])
        reads = [p for p in self.plan.tools if not p.writes and probes[p.ident].success is not None]
        for plan in self.plan.tools:
            probe = probes[plan.ident]
            if not plan.writes or probe.success is None:
                continue
            start = snaps.get(probe.success.state, seeded)
            order = [start, *[snap for label, snap in snaps.items() if label != probe.success.state]]
            # The probe's own arguments first, then others: a cancel of someone else's booking
            # does not show in "my bookings", a cancel of one's own does.
            attempts = [(snap, probe.success.args) for snap in order] + [
                (start, args) for args in self.arguments.good_args(plan)[:12] if args != probe.success.args]
            for snap, write_args in attempts:
                self.env.restore(snap)
                candidates = []
                for read in reads:
                    for args in self._read_args(read, plan, write_args)[:10]:
                        candidates.append((read, args, self.env.peek(read.ident, args)))
                result = self.env.call(plan.ident, write_args)
                if not result.ok:
                    continue
                made = result.result if isinstance(result.result, dict) else {}
                for read in reads:  # a read of what the write returned (the new row's id)
                    args = {p.ident: made[p.spec.name] for p in read.params if p.spec.name in made}
                    if args and all(p.ident in args for p in read.params if p.spec.required):
                        self.env.restore(snap)
                        before = self.env.peek(read.ident, args)
                        self.env.call(plan.ident, write_args)
                        candidates.append((read, args, before))
                for read, args, before in candidates:
                    after = self.env.peek(read.ident, args)
                    if changed(before, after):
                        probe.visible_through = read.ident
                        break
                if probe.visible_through is not None:
                    break
            self.env.restore(start)
            if probe.visible_through is None:  # a read of a row the write made (a new id)
                for read in reads:
                    for args in self.arguments.good_args(read)[:6]:
                        after = self.env.peek(read.ident, args)
                        self.env.restore(start)
                        before = self.env.peek(read.ident, args)
                        self.env.call(plan.ident, probe.success.args)
                        if changed(before, after):
                            probe.visible_through = read.ident
                            break
                    if probe.visible_through:
                        break

    def _read_args(self, read: ToolPlan, write: ToolPlan, write_args: dict[str, Any]) -> list[dict[str, Any]]:
        options = self.arguments.good_args(read)
        shared = {p.ident: write_args[p.ident] for p in read.params if p.ident in write_args}
        if shared:
            options = [{**o, **shared} for o in options] + options
        texts = [v for v in write_args.values() if isinstance(v, str) and v.strip()]
        for param in read.params:  # a search for the words the write stored
            if param.role == "query" and param.spec.type == "string":
                options = [{**o, param.ident: text} for text in texts[:3] for o in options[:1]] + options
        if not read.params:
            options = [{}]
        return options


def changed(before: CallResult, after: CallResult) -> bool:
    """A read shows a write: its result, or whether it fails and how, differs."""
    if before.ok != after.ok:
        return True
    if before.ok:
        return before.result != after.result
    return (before.error.message if before.error else "") != (after.error.message if after.error else "")


def read_coverage(env: EnvPlan) -> set[tuple[str, str]]:
    """(table, column) pairs some read tool shows; (table, "*") for whole rows."""
    from toolace_mt.compiler.bodies import state_views
    from toolace_mt.compiler.names import column

    seen: set[tuple[str, str]] = set()
    for plan in env.tools:
        if plan.writes or not plan.table:
            continue
        table = env.tables[plan.table]
        if plan.kind == "state_view":
            for columns in state_views(env, table, [str(v) for v in plan.params[0].spec.enum or []]).values():
                seen.update((table.name, c) for c in columns)
        elif plan.kind == "state_read" or (table.singleton and plan.spec.output is not None \
                and plan.spec.output.properties):
            output = plan.spec.output
            for prop in (output.properties if output is not None else []):
                name = column(prop.name)
                stripped = column("_".join(w for w in words(prop.name) if w not in ("new", "current", "updated",
                                                                                   "remaining")) or prop.name)
                seen.update({(table.name, name), (table.name, stripped)})
            if output is None or not output.properties:
                seen.add((table.name, "*"))
        else:
            seen.add((table.name, "*"))
    return seen


def written_columns(env: EnvPlan, plan: ToolPlan) -> list[tuple[str, str]]:
    if not plan.writes or not plan.table:
        return []
    table = plan.table
    if plan.kind in ("setting", "adjust"):
        cols = [p.column for p in plan.params if p.column] + [plan.status_column, plan.adjust_column]
        return [(table, c) for c in cols if c]
    return [(table, c) for c in env.tables[table].columns]
