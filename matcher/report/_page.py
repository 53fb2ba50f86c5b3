"""``report.html``: one self-contained page for a coordinator or a committee.

It holds ids and counts only, never a profile's content: the reasons are grouped by kind (an
area sought or a region is not shown), and equity subgroups under five people are merged.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from matcher.matching import Matching
from matcher.profiles import ProgramConfig
from matcher.report import _charts

__all__ = ["reason_kind", "report_html"]

_STYLE = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
  color: #1a202c; max-width: 186mm; margin: 1.5rem auto; padding: 0 .5rem; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 .2rem; }
h2 { font-size: 12.5pt; margin: 1.4rem 0 .4rem; border-bottom: 1px solid #cbd5e0;
  padding-bottom: .15rem; }
h3 { font-size: 10.5pt; margin: 1rem 0 .3rem; }
p.lead { color: #4a5568; margin: 0 0 .8rem; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: 9pt; }
td, th { border: 1px solid #cbd5e0; padding: .18rem .45rem; text-align: left;
  vertical-align: top; }
th { background: #edf2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts td:first-child { color: #4a5568; }
figure { margin: .3rem 0 .6rem; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
section { break-inside: auto; }
.flag { background: #fff5f5; border-left: 4px solid #c53030; padding: .35rem .6rem;
  margin: .4rem 0; }
.ok { background: #f0fff4; border-left: 4px solid #2f855a; padding: .35rem .6rem;
  margin: .4rem 0; }
.note { color: #4a5568; font-size: 9pt; }
tr.flagged td { background: #fff5f5; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  table, figure { break-inside: avoid; } }
"""

_METHODS = {
    "optimal": "optimal: as many mentees matched as possible, then the highest total score",
    "fair": "fair: the lowest matched score raised first, then the total",
    "stable": "stable: no mentee and mentor would both rather be paired with each other",
    "groups": "groups: small groups formed around shared session windows, language and format",
    "suggest": "suggest: a short list of compatible mentors per mentee, load-aware; mentees "
    "choose, so these are suggestions, not matches",
}

_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^(all \d+ compatible mentors are|the only compatible mentor is) at capacity"),
        "all compatible mentors are at capacity",
    ),
    (re.compile(r"^only \d+ other members? shares?"), "too few other members share"),
    (re.compile(r"\bin region \S+"), "in their region"),
    (re.compile(r"\bof \d+(-\d+)?\b"), "of the allowed size"),
    (re.compile(r"\ba group needs \d+"), "a group needs more"),
    (re.compile(r"\bat least \d+\b"), "enough"),
    (
        re.compile(r"\b(all|the) \d+ (allowed|compatible) (mentees|mentors) (are|is)\b"),
        r"all \2 \3 are",
    ),
)


def reason_kind(reason: str) -> str:
    """The kind of an unmatched reason, without its numbers and the person's own values.

    >>> reason_kind("all 13 compatible mentors are at capacity (one takes no mentees)")
    'all compatible mentors are at capacity'
    >>> reason_kind("no mentor covers an area sought: sarcoma")
    'no mentor covers an area sought'
    """
    text = reason
    for pattern, replacement in _KINDS:
        text = pattern.sub(replacement, text)
    text = re.split(r"[:;]| \(", text, maxsplit=1)[0]
    return text.strip().rstrip(",.") or "other reason"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value == value else "–"
    if isinstance(value, int):
        return f"{value:,}"
    return _e(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        flagged = ""
        if row and row[-1] == "\x00flag":
            row, flagged = row[:-1], ' class="flagged"'
        cells = "".join(
            f'<td class="num">{_num(v)}</td>' if isinstance(v, int | float) else f"<td>{_e(v)}</td>"
            for v in row
        )
        body.append(f"<tr{flagged}>{cells}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _facts(rows: Sequence[Sequence[object]]) -> str:
    body = "".join(
        f"<tr><td>{_e(label)}</td><td>{_num(value) if isinstance(value, int) else _e(value)}"
        "</td></tr>"
        for label, value in rows
    )
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def _figure(svg: str, caption: str) -> str:
    return f'<figure role="img" aria-label="{_e(caption)}">{svg}</figure>'


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _bound_gap(s: Mapping[str, Any]) -> str:
    """The proven bound and the gap to it, also as a share of the bound."""
    if s.get("gap") is None:
        return f"{s['bound']:.4f} (gap not proven)"
    gap, bound = float(s["gap"]), float(s["bound"])
    share = f", {gap / bound:.2%} of the bound" if bound > 0 else ""
    return f"{bound:.4f} (gap {gap:.4f}{share})"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _overview(result: Matching, s: Mapping[str, Any], kind: str) -> str:
    mentees = s.get("mentees")
    rows: list[list[object]] = []
    if kind == "suggest":
        rows += [
            ["Mentees with at least one suggestion", f"{s['matched']:,} of {mentees:,}"],
            ["Suggestions", s["pairs"]],
            ["Mentors per mentee (top)", s.get("top", "")],
            ["Mentees without a suggestion", s["unmatched_mentees"]],
            ["Mentors never suggested", s["unmatched_mentors"]],
            ["Mentor places (capacity)", s.get("mentor_capacity", "")],
            ["Total score of the suggestions", round(s["objective"], 4)],
        ]
    elif kind == "groups":
        sizes = s.get("group_sizes") or []
        rows += [
            ["Groups formed", s.get("groups", 0)],
            [
                "Sizes",
                ", ".join(f"{n} of {size} members" for size, n in sorted(Counter(sizes).items()))
                or "–",
            ],
            ["Members placed in a group", f"{s.get('grouped', 0):,} of {mentees:,}"],
            ["Members not placed", s["unmatched_mentees"]],
        ]
        if s.get("leader") == "none":  # peer-led: mentors take one-to-one mentees only
            if s.get("mentors"):
                rows.append(["Mentors without a one-to-one mentee", s["unmatched_mentors"]])
        else:
            rows.append(["Group leaders without a group", s["unmatched_mentors"]])
        rows += [
            ["One-to-one pairs (chose one-to-one)", s.get("paired_one_to_one", 0)],
            ["Total compatibility (objective)", round(s["objective"], 4)],
            ["Proven bound (gap)", _bound_gap(s)],
            ["Engine / status", f"{s.get('engine') or '–'} / {s['status']}"],
        ]
    else:
        rows += [
            ["Mentees matched", f"{s['matched']:,} of {mentees:,}" if mentees else s["matched"]],
            ["Pairs", s["pairs"]],
            ["Mentees unmatched", s["unmatched_mentees"]],
            ["Mentors without a mentee", s["unmatched_mentors"]],
        ]
        if "mentor_capacity" in s:
            rows.append(
                ["Mentor places used", f"{s['mentor_capacity_used']:,} of {s['mentor_capacity']:,}"]
            )
        rows += [
            ["Mean score of a pair", round(s.get("mean_score", 0.0), 4)],
        ]
        if s["method"] == "fair" and s.get("floor") is not None:
            rows.append(["Lowest score of a matched mentee (fair's floor)", f"{s['floor']:.6g}"])
        rows += [
            ["Total score (objective)", round(s["objective"], 4)],
            ["Proven bound (gap)", _bound_gap(s)],
            ["Status", s["status"]],
        ]
        if "blocking_pairs" in s:
            rows.append(["Blocking pairs (against the stated rankings)", s["blocking_pairs"]])
    if "changes" in s:
        rows.append(
            [
                "Changes since the current matches",
                ", ".join(f"{k} {v}" for k, v in s["changes"].items()),
            ]
        )
    rows += [["Method", _METHODS.get(s["method"], s["method"])], ["Seed", s["seed"]]]
    rows.append(["matcher version", s["version"]])
    return _facts(rows)


def _scores(result: Matching, kind: str) -> str:
    scores = [p.score for p in result.pairs]
    what = {"suggest": "suggestions", "groups": "members (compatibility with their group)"}.get(
        kind, "pairs"
    )
    if not scores:
        return f"<p>No {what.split()[0]} to show.</p>"
    svg = _charts.histogram(
        scores,
        title=f"Score of the {what}",
        xlabel="score (0 = no fit, 1 = every criterion fully met)",
        ylabel=what.split()[0],
    )
    low = sum(1 for v in scores if v < 0.5)
    return _figure(svg, f"Histogram of the scores of {len(scores)} {what}") + (
        f'<p class="note">{_plural(len(scores), what.split()[0].rstrip("s"))}; '
        f"median {sorted(scores)[len(scores) // 2]:.3f}; {low:,} below 0.5.</p>"
    )


def _criteria(
    result: Matching, s: Mapping[str, Any], config: ProgramConfig | None, kind: str
) -> str:
    if not result.criteria:
        return "<p>These scores were computed elsewhere: there are no criteria to show.</p>"
    weights = s.get("weights", {})
    hard = set(s.get("hard", []))
    names, means, texts, rows = [], [], [], []
    unit = {"suggest": "suggestions", "groups": "members"}.get(kind, "pairs")
    for name in result.criteria:
        values = [v for p in result.pairs if (v := p.criteria.get(name)) is not None]
        weight = config.weight(name) if config is not None else weights.get(name, "")
        is_hard = config.hard(name) if config is not None else name in hard
        mean = sum(values) / len(values) if values else None
        names.append(name)
        means.append(mean or 0.0)
        texts.append("–" if mean is None else f"{mean:.2f} ({len(values):,} {unit})")
        rows.append(
            [
                name,
                weight,
                "yes" if is_hard else "no",
                len(values),
                "–" if mean is None else round(mean, 3),
                sum(1 for v in values if v >= 0.999),
            ]
        )
    svg = _charts.bar_chart(
        names,
        means,
        title="Mean score where the criterion applies",
        xlabel="mean criterion score (1 = fully met)",
        texts=texts,
        limit=1.3,
        share=True,
    )
    if kind == "groups" and any(p.group_id and not p.mentor_id for p in result.pairs):
        note = (
            '<p class="note">Peer-led groups have no leader to be scored with: a member\'s '
            "criterion score is its group's, the mean over the pairs inside each group (the "
            "pair scores the groups are formed on), and the means above are over members."
            + (
                " Members led by a mentor, and one-to-one pairs, are scored with their mentor."
                if any(p.mentor_id for p in result.pairs)
                else ""
            )
            + "</p>"
        )
    else:
        note = ""
    return (
        _figure(svg, f"Mean score of each criterion among the {unit}")
        + note
        + _table(
            [
                "criterion",
                "weight",
                "hard rule",
                f"{unit} where it applies",
                "mean score",
                "fully met",
            ],
            rows,
        )
    )


def _load(result: Matching, s: Mapping[str, Any], kind: str) -> str:
    mentors = result.profiles.get("mentor", [])
    if kind == "groups":
        return _groups(result, s)
    counts = Counter(p.mentor_id for p in result.pairs if p.mentor_id)
    ids = [m.id for m in mentors] or sorted(counts)
    capacity = {m.id: m.capacity for m in mentors}
    load = {i: counts.get(i, 0) for i in ids}
    if kind == "suggest":
        limit = int(s.get("top") or 1)
        most = max(load.values(), default=0)
        bands = [("never suggested", 0, 0), ("1–2 times", 1, 2), ("3–5 times", 3, 5),
                 ("6–10 times", 6, 10), ("11–20 times", 11, 20),
                 ("21 times or more", 21, 10**9)]  # fmt: skip
        kept = [(label, low, high) for label, low, high in bands if low <= max(most, 1)]
        labels = [label for label, _, _ in kept]
        values = [sum(1 for v in load.values() if low <= v <= high) for _, low, high in kept]
        note = (
            f"{_plural(len(ids), 'mentor')}; a mentor with c places is shown to at most "
            f"c × {limit} mentees, so that a popular mentor is not offered to everyone."
        )
        title = "Mentors by how often they are suggested"
    else:
        cap = {i: capacity.get(i, 1) for i in ids}
        bands2 = {
            "at capacity": sum(1 for i in ids if 0 < cap[i] <= load[i]),
            "places left": sum(1 for i in ids if cap[i] > load[i] > 0),
            "no mentee (places free)": sum(1 for i in ids if load[i] == 0 and cap[i] > 0),
            "not taking mentees (capacity 0)": sum(1 for i in ids if cap[i] == 0),
        }
        if not capacity:  # precomputed scores: capacities are not known here
            bands2 = {"with a mentee": len(counts)}
        labels = [k for k, v in bands2.items() if v or not k.startswith("not taking")]
        values = [bands2[k] for k in labels]
        used, places = s.get("mentor_capacity_used"), s.get("mentor_capacity")
        note = f"{_plural(len(ids), 'mentor')}"
        if used is not None and places:
            note += f"; {used:,} of {places:,} places used ({used / places * 100:.0f}%)"
        loads = sorted(counts.values())
        if loads:
            median = loads[len(loads) // 2]
            note += f"; a mentor with mentees has {loads[0]}–{loads[-1]} (median {median})"
        note += "."
        title = "Mentors by how much of their capacity is used"
    svg = _charts.bar_chart(
        labels, values, title=title, xlabel="mentors", texts=[f"{v:,}" for v in values]
    )
    return _figure(svg, title) + f'<p class="note">{note}</p>'


def _groups(result: Matching, s: Mapping[str, Any]) -> str:
    members: dict[str, list[float]] = {}
    leaders: dict[str, str] = {}
    for p in result.pairs:
        if p.group_id:
            members.setdefault(p.group_id, []).append(p.score)
            if p.mentor_id:
                leaders[p.group_id] = p.mentor_id
    if not members:
        return "<p>No group was formed.</p>"
    sizes = Counter(len(v) for v in members.values())
    order = sorted(sizes)
    svg = _charts.bar_chart(
        [_plural(n, "member") for n in order], [sizes[n] for n in order],
        title="Groups by size", xlabel="groups", texts=[f"{sizes[n]:,}" for n in order],
    )  # fmt: skip
    rows: list[list[object]] = [
        [g, leaders.get(g, "peer-led"), len(v), round(sum(v) / len(v), 3), round(min(v), 3)]
        for g, v in sorted(members.items())
    ]
    return (
        _figure(svg, "Number of groups of each size")
        + f'<p class="note">{_plural(len(members), "group")} holding '
        f"{_plural(sum(len(v) for v in members.values()), 'member')}.</p>"
        + _table(["group", "led by", "members", "mean compatibility", "lowest"], rows)
    )


def _unmatched(result: Matching, kind: str) -> str:
    if not result.unmatched:
        return "<p>Everyone was matched.</p>"
    kinds = Counter((u.role, reason_kind(u.reason)) for u in result.unmatched)
    ordered = sorted(kinds.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))
    labels = [f"{role}: {k}" for (role, k), _ in ordered]
    values = [n for _, n in ordered]
    svg = _charts.bar_chart(
        labels, values, title="People per kind of reason",
        xlabel="people", texts=[f"{n:,}" for n in values],
    )  # fmt: skip
    rows: list[list[object]] = [[role, k, n] for (role, k), n in ordered]
    total = {r: sum(n for (role, _), n in kinds.items() if role == r) for r in ("mentee", "mentor")}
    return (
        _figure(svg, "People left unmatched, by kind of reason")
        + f'<p class="note">{_plural(total["mentee"], "mentee")} and '
        f"{_plural(total['mentor'], 'mentor')} unmatched. Each person's own reason is in "
        "<code>unmatched.csv</code>.</p>" + _table(["role", "kind of reason", "people"], rows)
    )


_COLUMN_NAMES = {
    "region": "Region",
    "languages": "Language",
    "profession": "Profession",
    "gender": "Gender",
    "formats": "Meeting format",
}


def _equity_rule(rule: Mapping[str, Any], method: str | None) -> str:
    """The ``[equity]`` rule: coverage by subgroup with and without it, and its price."""
    column = str(rule["column"])
    title = _COLUMN_NAMES.get(column, column)
    if rule.get("mode") == "equalise":
        then = (
            "then fair's objective (the lowest score of a matched mentee as high as it can be, "
            "then the total score)"
            if method == "fair"
            else "then the usual objective (the most mentees matched, then the total score)"
        )
        what = (
            f"the lowest coverage rate among the subgroups of <em>{_e(column)}</em> as high as "
            f"it can be, {then}"
        )
    else:
        shares = ", ".join(f"{_e(k)} {v:g}" for k, v in (rule.get("min_share") or {}).items())
        overall = (rule.get("overall_rate") or {}).get("value")
        what = (
            f"each named subgroup's coverage rate at least its share ({shares}) of the overall "
            "rate, the most mentees that can be matched at all over all mentees"
            + (f" ({overall * 100:.1f}%)" if overall is not None else "")
        )
    parts = [
        "<h3>Equity rule</h3>",
        f'<p class="note">This matching follows <code>[equity]</code>: {what}. The same '
        "programme was also solved without the rule, to show its price.</p>",
    ]
    shown = [r for r in rule["subgroups"] if not r.get("withheld")]
    if shown:
        svg = _charts.paired_bars(
            [r["subgroup"] for r in shown],
            [r["rate_without"] for r in shown],
            [r["rate_with"] for r in shown],
            title=f"Coverage by {title.lower()}, without and with the equity rule",
            xlabel="share of mentees matched",
            names=("without the rule", "with the rule"),
        )
        parts.append(_figure(svg, f"Coverage by {title.lower()} with and without the rule"))
    rows: list[list[object]] = []
    for r in rule["subgroups"]:
        if r.get("withheld"):
            rows.append([r["subgroup"], "fewer than 5", "–", "–", "–", "–"])
            continue
        rows.append(
            [
                r["subgroup"],
                r["mentees"],
                "–" if r.get("floor") is None else r["floor"],
                f"{r['matched_without']:,} ({_pct(r['rate_without'])})",
                f"{r['matched_with']:,} ({_pct(r['rate_with'])})",
                f"{r['matched_with'] - r['matched_without']:+,d}",
            ]
        )
    parts.append(
        _table(
            [
                "subgroup",
                "mentees",
                "floor",
                "matched without the rule",
                "matched with it",
                "change",
            ],
            rows,
        )
    )
    price = [
        ["lowest coverage rate", _pct(rule["lowest_rate"]["without"]),
         _pct(rule["lowest_rate"]["with"])],
        ["mentees matched", rule["matched"]["without"], rule["matched"]["with"]],
        ["places filled", rule["places"]["without"], rule["places"]["with"]],
        ["total score", f"{rule['objective']['without']:.4f}",
         f"{rule['objective']['with']:.4f}"],
    ]  # fmt: skip
    parts.append(_table(["", "without the rule", "with the rule"], price))
    return "".join(parts)


def _equity(facts: Mapping[str, Any] | None, kind: str, method: str | None = None) -> str:
    if not facts or not facts.get("by"):
        return "<p>No profile columns to compare (precomputed scores carry no profiles).</p>"
    covered = "with at least one suggestion" if kind == "suggest" else (
        "placed in a group" if kind == "groups" else "matched"
    )  # fmt: skip
    parts = [
        f'<p class="note">Coverage is the share of a subgroup\'s mentees {covered}; mean score '
        "is the mean of their scores. A person with several values (two languages) counts in "
        f"each. Subgroups of fewer than {facts['min_subgroup']} people are merged into "
        "<em>other</em>, whose figures are withheld if it is still that small, so that no one "
        f"can be singled out. A spread of {facts['flag_spread'] * 100:.0f} points or more "
        "between the best- and worst-served subgroup is flagged.</p>"
    ]
    flags = []
    for column, found in facts["by"].items():
        for key, what in (("coverage_spread", "coverage"), ("mean_score_spread", "mean score")):
            spread = found.get(key)
            if spread and spread["flagged"]:
                amount = (
                    f"{spread['spread'] * 100:.1f} points"
                    if key == "coverage_spread"
                    else f"{spread['spread']:.3f}"
                )
                flags.append(
                    f"<li><strong>{_e(_COLUMN_NAMES.get(column, column))}</strong>: {what} "
                    f"differs by {amount} between <em>{_e(spread['best'])}</em> (best) and "
                    f"<em>{_e(spread['worst'])}</em> (worst)</li>"
                )
    if facts.get("rule"):
        parts.append(_equity_rule(facts["rule"], method))
    if flags:
        parts.append(f'<div class="flag"><strong>Flagged</strong><ul>{"".join(flags)}</ul></div>')
    else:
        parts.append('<div class="ok">No spread between subgroups reaches the flag.</div>')
    for column, found in facts["by"].items():
        rows_in = found["subgroups"]
        shown = [r for r in rows_in if not r.get("withheld")]
        cover = found.get("coverage_spread") or {}
        worst = cover.get("worst") if cover.get("flagged") else None
        best = cover.get("best") if cover.get("flagged") else None
        title = _COLUMN_NAMES.get(column, column)
        parts.append(f"<h3>{_e(title)}</h3>")
        if shown:
            svg = _charts.bar_chart(
                [r["subgroup"] for r in shown],
                [r["coverage"] for r in shown],
                title=f"Coverage by {title.lower()}",
                xlabel=f"share of mentees {covered}",
                texts=[
                    f"{r['coverage'] * 100:.0f}% of {r['mentees']:,}"
                    + (f" · mean {r['mean_score']:.2f}" if r["mean_score"] is not None else "")
                    for r in shown
                ],
                flagged=[r["subgroup"] == worst for r in shown],
                limit=1.55,
                share=True,
            )
            parts.append(_figure(svg, f"Coverage of mentees by {title.lower()}"))
            if worst is not None:
                parts.append(
                    f'<p class="note">In red: <em>{_e(worst)}</em>, the worst-served subgroup '
                    f"of a flagged spread (best: <em>{_e(best)}</em>).</p>"
                )
        rows: list[list[object]] = []
        for r in rows_in:
            if r.get("withheld"):
                rows.append([r["subgroup"], "fewer than 5", "–", "–", "–", "figures withheld"])
                continue
            note = f"{r['merged']} small subgroups merged" if r.get("merged") else ""
            row: list[object] = [
                r["subgroup"],
                r["mentees"],
                r["matched"],
                _pct(r["coverage"]),
                "–" if r["mean_score"] is None else round(r["mean_score"], 3),
                note,
            ]
            if r["subgroup"] in (worst, best):
                row.append("\x00flag")
            rows.append(row)
        header = ["subgroup", "mentees", covered, "coverage", "mean score", "note"]
        if not any(row[5] for row in rows):  # no note to give: no empty column
            header = header[:5]
            rows = [row[:5] + row[6:] for row in rows]
        parts.append(_table(header, rows))
    return "".join(parts)


def report_html(result: Matching, config: ProgramConfig | None = None) -> bytes:
    """The report page as UTF-8 bytes: overview, charts, equity by subgroup and the inputs.

    Parameters
    ----------
    result : Matching
        What :func:`matcher.match`, :func:`matcher.suggest` or :func:`matcher.solve` returned.
    config : ProgramConfig, optional
        The programme's settings, for each criterion's weight and whether it is a hard rule.

    Returns
    -------
    bytes
        One self-contained HTML page (inline CSS and SVG, no script, nothing fetched), laid out
        to print on A4. The same result gives the same bytes.
    """
    s = dict(result.summary)
    kind = "suggest" if result.kind == "suggest" else (
        "groups" if result.method == "groups" else "match"
    )  # fmt: skip
    program = s.get("program") or (config.name if config is not None else "matcher")
    load_title = {
        "groups": "Groups and sizes",
        "suggest": "Mentor load: how often each mentor is suggested",
    }.get(kind, "Mentor load")
    unmatched_title = (
        "Who has no suggestion, and why" if kind == "suggest" else "Why people are unmatched"
    )
    inputs = [[name, digest] for name, digest in sorted(s.get("inputs", {}).items())]
    lead = {
        "suggest": "Suggestions, not matches: each mentee is shown a short list of compatible "
        "mentors and chooses.",
        "groups": "Small groups formed from the profiles; each member's score is their "
        "compatibility with their group.",
        "match": "Mentee–mentor pairs formed from the profiles.",
    }[kind]
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Matching report: {_e(program)}</title>
<style>{_STYLE}</style></head>
<body>
<header><h1>Matching report: {_e(program)}</h1>
<p class="lead">{_e(lead)} Ids and counts only: no profile content is shown.</p></header>
<section id="overview"><h2>Overview</h2>{_overview(result, s, kind)}</section>
<section id="scores"><h2>Score distribution</h2>{_scores(result, kind)}</section>
<section id="criteria"><h2>Criteria satisfaction</h2>{_criteria(result, s, config, kind)}</section>
<section id="load"><h2>{_e(load_title)}</h2>{_load(result, s, kind)}</section>
<section id="unmatched"><h2>{_e(unmatched_title)}</h2>{_unmatched(result, kind)}</section>
<section id="equity"><h2>Equity: who the matching serves</h2>
{_equity(s.get("equity"), kind, s.get("method"))}</section>
<section id="inputs"><h2>Inputs (SHA-256)</h2>
<p class="note">The same inputs, settings and seed give the same results, byte for byte.</p>
{_table(["file", "sha256"], inputs)}</section>
</body></html>
"""
    return page.encode("utf-8")
