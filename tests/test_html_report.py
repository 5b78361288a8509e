"""`stats --html`: one self-contained page with every table, figure and failed-check
example, and nothing from a record ever becomes markup."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from test_stats import _call, _tool, _write, two_dialogues

from toolace_mt.cli import main
from toolace_mt.html_report import MAX_BARS, MAX_EXAMPLES, bar_chart
from toolace_mt.record import (
    AssistantMessage,
    Failure,
    Record,
    ToolMessage,
    UserMessage,
    Verification,
)
from toolace_mt.stats import compute_stats
from toolace_mt.verifier.trajectory import FINDING_KINDS

FINDING_KINDS_IDS = tuple(kind.kind for kind in FINDING_KINDS)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "section", "table", "thead",
                "tbody", "tr", "th", "td", "figure", "figcaption", "svg", "text", "rect", "p", "div", "b", "pre",
                "code"}


class Page(HTMLParser):
    """Every tag with its attributes, the ids, and the texts of each figure's SVG."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.figure_texts: dict[str, list[str]] = {}
        self._figure: str | None = None
        self._in_text = False
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "figure":
            self._figure = str(attributes["id"])
            self.figure_texts[self._figure] = []
        self._in_text = tag == "text"

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        self._in_text = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._figure is not None and self._in_text:
            self.figure_texts[self._figure].append(data)


def _hostile_failing() -> Record:
    return Record(
        id=f"bad-{HOSTILE}", env="retail", env_digest="x", seed=0, tools=[_tool("get_order"), _tool(HOSTILE)],
        messages=[
            UserMessage(content=f"Hi {HOSTILE}"),
            AssistantMessage(tool_calls=[_call("c1", HOSTILE, note=HOSTILE)]),
            ToolMessage(tool_call_id="c1", content=f'{{"error": {{"type": "ToolError", "message": "{HOSTILE!r}"}}}}'),
            AssistantMessage(content=f"Done {HOSTILE}"),
        ],
        verification=Verification(passed=False, failures=[
            Failure("grounding", f"the value {HOSTILE} is not grounded", 1),
            Failure(HOSTILE, "a check with a hostile name", 3),
        ]))


def _report(tmp_path: Path, records: list[Record]) -> tuple[str, Page]:
    data = _write(tmp_path / "data.jsonl", [r.to_json() for r in records])
    out = tmp_path / "report.html"
    assert main(["stats", str(data), "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    return text, Page(text)


def test_every_section_and_figure_is_on_the_page(tmp_path: Path, capsys: Any) -> None:
    text, page = _report(tmp_path, [*two_dialogues(), _hostile_failing()])
    printed = capsys.readouterr().out
    assert "dialogues                   3" in printed  # the table is still printed
    assert {"summary", "ops", "coverage", "turns", "calls", "trajectory", "failed-checks"} <= page.ids
    assert {"summary-table", "ops-table", "coverage-table"} <= page.ids
    assert {"fig-ops", "fig-coverage", "fig-turns", "fig-calls"} <= page.ids
    # user turns per dialogue: d1 2, d2 1, bad 1 -> label "1": 2 dialogues, label "2": 1
    assert page.figure_texts["fig-turns"] == ["1", "2", "2", "1"]
    # calls per calling turn: d1 has a 2-call and a 1-call turn, bad a 1-call turn
    assert page.figure_texts["fig-calls"] == ["1", "2", "2", "1"]
    ops = dict(zip(page.figure_texts["fig-ops"][0::2], page.figure_texts["fig-ops"][1::2], strict=True))
    assert ops["clarification"] == "33.3%" and ops["non_function_call"] == "33.3%" and ops["tool_awareness"] == "0.0%"
    coverage = page.figure_texts["fig-coverage"]
    assert coverage[0] == "retail" and coverage[1].endswith("%")
    assert '<figcaption>Dialogues by number of user turns</figcaption>' in text
    summary = " ".join(page.text)
    assert "pass rate" in summary and "50.0% (1 of 2 verified)" in summary
    assert "Distinct-1 / 2 / 3" in summary


def test_each_failed_check_has_a_readable_example(tmp_path: Path) -> None:
    text, page = _report(tmp_path, [*two_dialogues(), _hostile_failing()])
    section = text[text.index('<section id="failed-checks">'):]
    assert "<h3>grounding: 1 dialogue(s) fail it</h3>" in section
    assert f"<h3>{_escaped(HOSTILE)}: 1 dialogue(s) fail it</h3>" in section
    body = " ".join(page.text)
    assert f"Hi {HOSTILE}" in body and f"Done {HOSTILE}" in body  # shown as text, word for word
    assert f"the value {HOSTILE} is not grounded" in body
    assert section.count('<div class="msg user">') == 2  # one example per failed check, the same dialogue
    assert '<div class="msg assistant highlight">' in section  # the turn each failure points at


def test_hostile_records_never_become_markup(tmp_path: Path) -> None:
    text, page = _report(tmp_path, [_hostile_failing()])
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    for tag, attributes in page.tags:
        assert not any(name.startswith("on") or name in ("src", "href") for name in attributes), (tag, attributes)
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch


def test_trajectory_findings_are_shown_as_stats_computes_them(tmp_path: Path) -> None:
    records = [*two_dialogues(), _hostile_failing()]
    text, page = _report(tmp_path, records)
    stats = compute_stats([tmp_path / "data.jsonl"])
    assert {"trajectory-table", "fig-trajectory"} <= page.ids
    bars = page.figure_texts["fig-trajectory"]
    shown = dict(zip(bars[0::2], bars[1::2], strict=True))
    assert list(shown) == list(FINDING_KINDS_IDS) == list(stats.trajectory)
    for kind, rate in stats.trajectory.items():
        assert shown[kind] == ("unknown" if rate.share is None else f"{100 * rate.share:.1f}%")
    # the records' env digest is not retail's: the findings that need its policy are unknown, and said why
    assert any(rate.share is None for rate in stats.trajectory.values())
    assert "env retail: the findings that need its policy are unknown" in " ".join(page.text)
    assert "No record in these files failed a check." not in text


def test_no_trajectory_table_without_dialogues(tmp_path: Path) -> None:
    _, page = _report(tmp_path, [])
    assert "trajectory-none" in page.ids and "fig-trajectory" not in page.ids
    assert "No record in these files failed a check." in " ".join(page.text)


def test_examples_and_bars_are_bounded(tmp_path: Path) -> None:
    many = [two_dialogues()[1].model_copy(update={
        "id": f"r{i}", "verification": Verification(passed=False, failures=[Failure(f"check{i}", "no")])})
        for i in range(MAX_EXAMPLES + 5)]
    text, _ = _report(tmp_path, many)
    assert text.count('<div class="conversation">') == MAX_EXAMPLES
    assert text.count("(no example kept)") == 5
    chart = Page(bar_chart("f", "t", [(str(i), float(i)) for i in range(100)]))
    labels = chart.figure_texts["f"][0::2]
    assert len(labels) == MAX_BARS and labels[-1] == f"{100 - MAX_BARS + 1} more"


def test_an_unwritable_report_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    data = _write(tmp_path / "data.jsonl", [r.to_json() for r in two_dialogues()])
    assert main(["stats", str(data), "--html", str(tmp_path / "no" / "such" / "dir" / "r.html")]) == 2
    assert "cannot write" in capsys.readouterr().err


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)
