"""Replay a recorded dialogue as a regression test: every recorded call again on the
env as it is now, every output and the final state compared with the record.

Unlike `verify`, a changed env digest is no reason to stop: checking that a new version
of an env still gives the recorded outputs and state is the point. The report names the
first call whose output differs and the state differences per table (table, key,
column: expected vs actual).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sandbox import Environment
from toolace_mt.evaluation.state_text import compare_diffs
from toolace_mt.record import Record
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.state_compare import same_json, shorten


@dataclass
class Divergence:
    call_id: str
    name: str
    arguments: str
    message_index: int
    recorded: str
    actual: str


@dataclass
class RegressionReport:
    record_id: str
    digest_changed: str | None = None  # "recorded abc…, now def…"
    divergences: list[Divergence] = field(default_factory=list)
    state_lines: list[str] = field(default_factory=list)  # "table rest-of-line"
    problems: list[str] = field(default_factory=list)  # anything else (no `expected`, ...)

    @property
    def passed(self) -> bool:
        return not (self.divergences or self.state_lines or self.problems)

    def text(self) -> str:
        lines = [f"dialogue {self.record_id} no longer replays as recorded"]
        if self.digest_changed:
            lines.append(f"env changed since recording: {self.digest_changed}")
        if self.divergences:
            first = self.divergences[0]
            lines += [f"first diverging call: {first.call_id} {first.name} {first.arguments} "
                      f"(message {first.message_index})",
                      f"  recorded: {shorten(first.recorded, 400)}", f"  actual:   {shorten(first.actual, 400)}"]
            if len(self.divergences) > 1:
                lines.append(f"  ({len(self.divergences) - 1} later call(s) differ too: "
                             f"{', '.join(d.call_id for d in self.divergences[1:6])})")
        if self.state_lines:
            lines.append("final state, per table (expected vs actual):")
            current = None
            for line in self.state_lines:
                table, _, rest = line.partition(" ")
                table = table.rstrip(":")
                if table != current:
                    lines.append(f"  {table}:")
                    current = table
                lines.append(f"    {rest}")
        lines += self.problems
        return "\n".join(lines)


def replay_record(record: Record, env: Environment) -> RegressionReport:
    """`env` must be at the record's initial state (a fresh env of its env and seed)."""
    report = RegressionReport(record.id)
    if env.digest != record.env_digest:
        report.digest_changed = f"recorded sha256 {record.env_digest[:12]}…, now {env.digest[:12]}…"
    for site in Dialogue(record).calls:
        if site.arguments is None:
            report.problems.append(f"call {site.call.id} {site.name}: the recorded arguments are not a JSON object")
            continue
        actual = env.call(site.name, site.arguments).content()
        if site.output_text is None or same_json(site.output, json.loads(actual)):
            continue
        report.divergences.append(Divergence(site.call.id, site.name, site.call.function.arguments,
                                             site.message_index, site.output_text, actual))
    expected = record.expected
    if expected is None:
        report.problems.append("the record has no `expected` final state to compare with")
        return report
    if env.state_hash() == expected.final_state_hash:
        return report
    actual_diff = env.diff().model_dump(mode="json")
    keys = {name: list(table.primary_key) for name, table in env.tables.items()}
    report.state_lines = compare_diffs(expected.diff, actual_diff, keys)
    if not report.state_lines:
        report.problems.append("the final state hash differs from the record's, though the changes from the initial "
                               "state are the same: the env's initial data changed")
    return report
