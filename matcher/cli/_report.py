"""``report.html``: a page a coordinator can open in a browser and share with a committee."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from matcher.matching import Matching

__all__ = ["report_html"]

_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left}th{background:#f3f3f3}.num{text-align:right}"""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{v}</td>'
            if isinstance(v, int | float)
            else f"<td>{html.escape(str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _reason_kind(reason: str) -> str:
    for sep in (":", "("):
        reason = reason.split(sep)[0]
    return "".join("N" if ch.isdigit() else ch for ch in reason).strip()


def report_html(result: Matching, summary: dict[str, Any]) -> bytes:
    """The report page as UTF-8 bytes (ids and counts only; no profile content)."""
    overview = [
        ["Mentees matched", f"{summary['matched']} of {summary.get('mentees', '?')}"],
        ["Pairs", summary["pairs"]],
        ["Mentees unmatched", summary["unmatched_mentees"]],
        ["Mentors without a mentee", summary["unmatched_mentors"]],
        [
            "Mentor capacity used",
            f"{summary.get('mentor_capacity_used', '?')} of {summary.get('mentor_capacity', '?')}",
        ],
        ["Total score (objective)", f"{summary['objective']:.4f}"],
        ["Bound", f"{summary['bound']:.4f}"],
        ["Method / status", f"{summary['method']} / {summary['status']}"],
        ["Seed", summary["seed"]],
        ["Version", summary["version"]],
    ]
    criteria_rows = []
    for name in result.criteria:
        values = [p.criteria.get(name) for p in result.pairs]
        known = [v for v in values if v is not None]
        mean = sum(known) / len(known) if known else float("nan")
        criteria_rows.append(
            [
                name,
                summary.get("weights", {}).get(name, ""),
                "yes" if name in summary.get("hard", []) else "no",
                len(known),
                f"{mean:.3f}" if known else "–",
            ]
        )
    buckets = Counter(min(int(p.score * 10), 9) for p in result.pairs)
    dist = [[f"{b / 10:.1f}–{(b + 1) / 10:.1f}", buckets.get(b, 0)] for b in range(10)]
    reasons = Counter((u.role, _reason_kind(u.reason)) for u in result.unmatched)
    reason_rows = [[role, kind, n] for (role, kind), n in reasons.most_common()]
    inputs = [[name, digest] for name, digest in summary.get("inputs", {}).items()]
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>matcher report</title><style>{_STYLE}</style></head><body>
<h1>Matching report: {html.escape(str(summary.get("program", "")))}</h1>
{_table(["", ""], overview)}
<h2>Criteria among matched pairs</h2>
{_table(["criterion", "weight", "hard", "pairs where it applies", "mean score"], criteria_rows)}
<h2>Score distribution</h2>
{_table(["score", "pairs"], dist)}
<h2>Why people are unmatched</h2>
<p>Each person's own reason is in <code>unmatched.csv</code>.</p>
{_table(["role", "reason", "people"], reason_rows)}
<h2>Inputs (SHA-256)</h2>
{_table(["file", "sha256"], inputs)}
</body></html>
"""
    return page.encode("utf-8")
