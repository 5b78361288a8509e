"""`toolace-mt stats --html REPORT.html`: the statistics as one self-contained page.

No network and no script: inline CSS and inline SVG charts drawn here (bars; no
plotting library, so nothing to install and the page has no external reference).
Sections: the tables `stats` prints, charts of turns per dialogue, calls per calling
turn, tool coverage per env, the ops mix and the trajectory findings (stats'
trajectory section, toolace_mt/verifier/trajectory.py), and for each
failed check one example dialogue as a conversation. Records are hostile: every text
that comes from them goes through `html.escape`, and long texts are cut.

Distributions (turns per dialogue, calls per turn) and the examples need a pass over
the records of their own, streamed like `stats` (memory: the histograms and one record
per failed check, at most MAX_EXAMPLES).
"""

from __future__ import annotations

import html
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolace_mt.jsonl import BadLine, read_records
from toolace_mt.record import AssistantMessage, Record, SystemMessage, ToolMessage, UserMessage
from toolace_mt.stats import Stats
from toolace_mt.stats import summary_rows as stats_summary_rows

MAX_EXAMPLES = 40  # failed checks shown with an example (a hostile file may name thousands)
MAX_TEXT = 2_000  # characters of one message shown in an example
MAX_MESSAGES = 80  # messages of one example shown
MAX_BARS = 60  # bars of one chart (the rest are summed into the last one); every finding kind fits


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


@dataclass
class ReportData:
    """What the page needs beyond `Stats`: distributions and one failing example per check."""

    user_turns: Counter[int] = field(default_factory=Counter)  # user turns per dialogue -> dialogues
    calls_per_turn: Counter[int] = field(default_factory=Counter)  # calls in a calling turn -> turns
    examples: dict[str, tuple[Record, str, int | None]] = field(default_factory=dict)  # check -> record, why, where
    failed: Counter[str] = field(default_factory=Counter)  # check -> records failing it

    def add(self, record: Record) -> None:
        self.user_turns[sum(isinstance(m, UserMessage) for m in record.messages)] += 1
        for message in record.messages:
            if isinstance(message, AssistantMessage) and message.tool_calls:
                self.calls_per_turn[len(message.tool_calls)] += 1
        if record.verification is None:
            return
        for check in {f.check for f in record.verification.failures}:
            self.failed[check] += 1
        for failure in record.verification.failures:
            if failure.check not in self.examples and len(self.examples) < MAX_EXAMPLES:
                self.examples[failure.check] = (record, failure.message, failure.message_index)


def collect(paths: Iterable[str | Path]) -> ReportData:
    data = ReportData()
    for path in paths:
        for item in read_records(path):
            if not isinstance(item, BadLine):
                data.add(item.record)
    return data


# --- charts ---------------------------------------------------------------------------

def _bars(items: Sequence[tuple[str, float | None]]) -> list[tuple[str, float | None]]:
    if len(items) <= MAX_BARS:
        return list(items)
    rest = sum(value or 0.0 for _, value in items[MAX_BARS - 1:])
    return [*items[:MAX_BARS - 1], (f"{len(items) - MAX_BARS + 1} more", rest)]


def bar_chart(figure_id: str, title: str, items: Sequence[tuple[str, float | None]], unit: str = "",
              percent: bool = False) -> str:
    """A horizontal bar chart as inline SVG: one labelled bar per item (None: unknown, no bar)."""
    bars = _bars(items)
    label_width, bar_width, row = 220, 380, 22
    height = 30 + row * max(len(bars), 1)
    top = max((value or 0.0 for _, value in bars), default=0.0)
    scale = 1.0 if percent else (top or 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_width + bar_width + 90}" '
             f'height="{height}" aria-labelledby="{esc(figure_id)}-title">',
             f'<title id="{esc(figure_id)}-title">{esc(title)}</title>']
    if not bars:
        parts.append('<text x="10" y="40" class="empty">no data</text>')
    for index, (label, value) in enumerate(bars):
        y = 20 + index * row
        width = 0.0 if scale == 0 or value is None else max(0.0, min(1.0, value / scale)) * bar_width
        if value is None:
            shown = "unknown"
        else:
            shown = f"{100 * value:.1f}%" if percent else f"{value:g}{unit}"
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{esc(_cut(label, 40))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{width:.1f}" height="{row - 6}" class="bar"/>')
        parts.append(f'<text x="{label_width + width + 4:.1f}" y="{y + 14}">{esc(shown)}</text>')
    parts.append("</svg>")
    return (f'<figure id="{esc(figure_id)}"><figcaption>{esc(title)}</figcaption>'
            + "".join(parts) + "</figure>")


def _histogram(counts: Counter[int]) -> list[tuple[str, float]]:
    return [(str(key), float(counts[key])) for key in sorted(counts)]


# --- tables ---------------------------------------------------------------------------

def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def table(header: Sequence[str], rows: Iterable[Sequence[object]], table_id: str) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table id="{esc(table_id)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def summary_rows(stats: Stats) -> list[tuple[str, str]]:
    return [(name.strip(), value) for name, value in stats_summary_rows(stats)]


# --- trajectory findings (issue 16: stats' trajectory section) -----------------------

def trajectory_section(stats: Stats) -> str:
    """Per finding kind of the trajectory checks: the share of judged dialogues with one."""
    rates = stats.trajectory
    if not rates or not stats.dialogues:
        return '<p id="trajectory-none">No dialogue was judged by the trajectory checks.</p>'
    rows = [(kind, rate.check, rate.what, f"{rate.with_finding}/{rate.dialogues}" if rate.dialogues else "unknown",
             _pct(rate.share), rate.instances, rate.unknown) for kind, rate in rates.items()]
    notes = "".join(f"<p>env {esc(_cut(env, 200))}: the findings that need its policy are unknown: "
                    f"{esc(_cut(why, 500))}</p>" for env, why in stats.trajectory_unknown_envs.items())
    return (table(("finding", "check", "what", "dialogues with it / judged", "share", "instances", "not judged"),
                  rows, "trajectory-table")
            + bar_chart("fig-trajectory", "Trajectory findings: share of judged dialogues with at least one",
                        [(kind, rate.share) for kind, rate in rates.items()], percent=True)
            + notes)


# --- conversations --------------------------------------------------------------------

def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=1)
    except ValueError:
        return text


def conversation(record: Record, highlight: int | None) -> str:
    """The dialogue as a readable conversation: user, assistant, calls, outputs."""
    names: dict[str, str] = {}
    out = []
    shown = record.messages[:MAX_MESSAGES]
    for index, message in enumerate(shown):
        mark = " highlight" if index == highlight else ""
        if isinstance(message, SystemMessage):
            out.append(f'<div class="msg system{mark}"><b>system</b><p>{esc(_cut(message.content))}</p></div>')
        elif isinstance(message, UserMessage):
            out.append(f'<div class="msg user{mark}"><b>user</b><p>{esc(_cut(message.content))}</p></div>')
        elif isinstance(message, AssistantMessage):
            body = f"<p>{esc(_cut(message.content))}</p>" if message.content else ""
            for call in message.tool_calls or []:
                names[call.id] = call.function.name
                body += (f'<div class="call">call <code>{esc(_cut(call.function.name, 200))}</code> '
                         f'<pre>{esc(_cut(_pretty(call.function.arguments)))}</pre></div>')
            out.append(f'<div class="msg assistant{mark}"><b>assistant</b>{body}</div>')
        elif isinstance(message, ToolMessage):
            name = names.get(message.tool_call_id, message.tool_call_id)
            out.append(f'<div class="msg tool{mark}"><b>output of {esc(_cut(name, 200))}</b>'
                       f'<pre>{esc(_cut(_pretty(message.content)))}</pre></div>')
    if len(record.messages) > len(shown):
        out.append(f'<p class="more">({len(record.messages) - len(shown)} more messages not shown)</p>')
    return '<div class="conversation">' + "".join(out) + "</div>"


# --- the page -------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f0f0f0}figure{margin:1em 0}figcaption{font-weight:bold}
svg text{font-size:12px;font-family:system-ui,sans-serif}svg .bar{fill:#4a7ab5}
.conversation{border:1px solid #ddd;padding:.5em;margin:.5em 0 2em}
.msg{margin:.4em 0;padding:.4em .6em;border-radius:6px}.msg p{margin:.2em 0;white-space:pre-wrap}
.user{background:#eef5ff}.assistant{background:#f4f4f4}.tool{background:#fff8e6}.system{background:#f0fff0}
.highlight{outline:3px solid #d33}pre{white-space:pre-wrap;margin:.2em 0;font-size:12px}
.failure{color:#a00}
"""


def render_page(stats: Stats, data: ReportData) -> str:
    sections = []
    sections.append('<section id="summary"><h2>Summary</h2>'
                    + table(("figure", "value"), summary_rows(stats), "summary-table") + "</section>")
    sections.append('<section id="ops"><h2>Ops mix</h2>' + table(
        ("op", "ops", "dialogues", "share"),
        [(name, op.ops, op.dialogues, _pct(op.share)) for name, op in stats.ops.items()], "ops-table")
        + bar_chart("fig-ops", "Ops mix: share of dialogues with each op type",
                    [(name, op.share or 0.0) for name, op in stats.ops.items()], percent=True) + "</section>")
    coverage_rows = []
    for env, cov in stats.tool_coverage.items():
        coverage_rows.append((env, f"{cov.used}/{cov.offered}", _pct(cov.coverage), cov.source,
                              ", ".join(cov.unused) or "-", cov.env_error or ""))
    sections.append('<section id="coverage"><h2>Tool coverage per env</h2>' + table(
        ("env", "used/offered", "coverage", "source", "unused", "env tools not read"), coverage_rows,
        "coverage-table") + bar_chart("fig-coverage", "Tool coverage per env (tools called / tools offered)",
                                      [(env, cov.coverage or 0.0) for env, cov in stats.tool_coverage.items()],
                                      percent=True) + "</section>")
    sections.append('<section id="turns"><h2>Turns per dialogue</h2>'
                    + bar_chart("fig-turns", "Dialogues by number of user turns", _histogram(data.user_turns))
                    + "</section>")
    sections.append('<section id="calls"><h2>Calls per turn</h2>'
                    + bar_chart("fig-calls", "Calling turns by number of tool calls", _histogram(data.calls_per_turn))
                    + "</section>")
    sections.append(f'<section id="trajectory"><h2>Trajectory findings</h2>{trajectory_section(stats)}</section>')
    failed = [f"<h3>{esc(check)}: {count} dialogue(s) fail it</h3>"
              + (f'<p class="failure">{esc(data.examples[check][0].id)}: {esc(_cut(data.examples[check][1]))}</p>'
                 + conversation(data.examples[check][0], data.examples[check][2])
                 if check in data.examples else "<p>(no example kept)</p>")
              for check, count in sorted(data.failed.items())]
    sections.append('<section id="failed-checks"><h2>Failed checks: one example each</h2>'
                    + ("".join(failed) or "<p>No record in these files failed a check.</p>") + "</section>")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>toolace-mt stats</title>"
            f"<style>{STYLE}</style></head><body><h1>toolace-mt stats: {esc(', '.join(stats.files))}</h1>"
            + "".join(sections) + "</body></html>\n")


def write_report(path: str | Path, stats: Stats, files: Iterable[str | Path]) -> bool:
    """Write the page to `path` (whole: a temporary file renamed); False, with the reason
    on stderr, when it cannot be written."""
    target = Path(path)
    page = render_page(stats, collect(files))
    partial = target.with_name(f".{target.name}.tmp")
    try:
        partial.write_text(page, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        print(f"toolace-mt: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True
