"""Form-tool exports read as they come: REDCap, Microsoft Forms and Google Forms.

- **REDCap** (raw or label export): a checkbox field arrives as one column per choice,
  ``field___code`` (raw headers) or ``Field label (choice=Choice label)`` (label headers), each
  cell ``1``/``0``, ``Checked``/``Unchecked``, or the choice label itself.  They are merged into
  one multi-valued column named ``field`` (or the label), holding the codes (raw) or the
  choice labels of the ticked boxes.  REDCap's own columns (``redcap_event_name``,
  ``redcap_repeat_instrument``, ``*_complete``, ``*_timestamp``) pass through untouched; rows of
  a repeating instrument (``redcap_repeat_instrument`` not empty) are not profiles and are left
  out.
- **Microsoft Forms** (.xlsx): the question text is the header; several choices share one cell
  as ``A;B;``.  Its ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name`` and ``Last
  modified time`` columns pass through (its ``ID`` is the person's id unless ``[columns]`` maps
  another column to ``id``).
- **Google Forms** (CSV): the question text is the header, ``Timestamp`` first; several
  choices share one cell as ``A, B``.

``[columns]`` in program.toml maps any header (a question's text, a REDCap field name) to a
profile column, and ``[values.COLUMN]`` maps a tool's codes or labels to our vocabulary
(``[values.specialties] "3" = "chronic_pain"``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from matcher.io._table import Table
from matcher.profiles import ProgramConfig, vocab

__all__ = [
    "MULTI_VALUED",
    "PROFESSIONS",
    "FormExport",
    "describe_unknown_values",
    "detect_tool",
    "prepare_form",
    "unknown_values",
    "value_transforms",
    "warn_unknown_values",
]

_log = logging.getLogger(__name__)

#: Profile columns that hold several values (``|`` between them in our own files).
MULTI_VALUED = frozenset(
    {
        "specialties",
        "lived_experience",
        "languages",
        "availability",
        "formats",
        "group_formats",
        "exclude",
        "preferences",
    }
)

_RAW_CHECKBOX = re.compile(r"^(?P<field>[A-Za-z][A-Za-z0-9_]*?)___(?P<code>[A-Za-z0-9_.\-]+)$")
_LABEL_CHECKBOX = re.compile(r"^(?P<field>.*?\S)\s*\(choice=(?P<choice>.*)\)\s*$", re.DOTALL)
_CHECKED = frozenset({"1", "checked", "yes", "true", "x", "coché", "coche"})
_UNCHECKED = frozenset({"", "0", "unchecked", "no", "false", "non coché", "non coche"})
_MS_FORMS = frozenset({"start time", "completion time"})
_MS_FORMS_OWN = ("id", "start time", "completion time", "email", "name", "last modified time")
_GOOGLE_FIRST = frozenset({"timestamp", "horodateur", "marca temporal"})


class FormExport:
    """What :func:`prepare_form` found: the tool and how its multi-choice cells are split."""

    def __init__(self, tool: str | None, separator: str | None) -> None:
        self.tool = tool
        self.separator = separator


def detect_tool(header: list[str]) -> str | None:
    """``"redcap"``, ``"msforms"``, ``"google"`` or None (one of our own files)."""
    folded = [vocab.fold(h) for h in header]
    if set(folded) >= _MS_FORMS:
        return "msforms"
    if folded and folded[0] in _GOOGLE_FIRST:
        return "google"
    if any(h.startswith("redcap_") for h in header) or any(
        _RAW_CHECKBOX.match(h) or _LABEL_CHECKBOX.match(h) for h in header
    ):
        return "redcap"
    return None


def _merge_checkboxes(table: Table) -> Table:
    """Each checkbox field's columns as one ``|`` column at the place of its first column."""
    groups: dict[str, list[tuple[int, str]]] = {}
    kinds: dict[str, str] = {}
    for index, title in enumerate(table.header):
        raw = _RAW_CHECKBOX.match(title)
        label = None if raw else _LABEL_CHECKBOX.match(title)
        found = raw or label
        if found is None:
            continue
        field = found.group("field")
        groups.setdefault(field, []).append(
            (index, found.group("code") if raw else found.group("choice").strip())
        )
        kinds[field] = "raw" if raw else "label"
    groups = {f: cols for f, cols in groups.items() if len(cols) > 1 or kinds[f] == "raw"}
    if not groups:
        return table
    first = {cols[0][0]: field for field, cols in groups.items()}
    merged_away = {i for cols in groups.values() for i, _ in cols}
    header: list[str] = []
    plan: list[int | str] = []  # a column kept as it is, or a field merged here
    for index, name in enumerate(table.header):
        if index in first:
            header.append(first[index])
            plan.append(first[index])
        elif index not in merged_away:
            header.append(name)
            plan.append(index)
    rows = []
    for record in table.rows:
        row = []
        for step in plan:
            if isinstance(step, int):
                row.append(record[step] if step < len(record) else "")
                continue
            ticked = []
            for index, choice in groups[step]:
                cell = (record[index] if index < len(record) else "").strip()
                folded = cell.casefold()
                if folded in _UNCHECKED:
                    continue
                ticked.append(choice if folded in _CHECKED else cell)
            row.append("|".join(ticked))
        rows.append(row)
    _log.info(
        "%s: merged the checkbox columns of %s into one column each",
        table.name,
        ", ".join(repr(f) for f in groups),
    )
    return replace(table, header=header, rows=rows)


def _drop_repeating_rows(table: Table) -> Table:
    try:
        column = [vocab.fold(h) for h in table.header].index("redcap repeat instrument")
    except ValueError:
        return table
    keep = [
        k for k, r in enumerate(table.rows) if not (r[column].strip() if column < len(r) else "")
    ]
    if len(keep) == len(table.rows):
        return table
    _log.info(
        "%s: %d rows of repeating instruments are not profiles and were left out",
        table.name,
        len(table.rows) - len(keep),
    )
    return replace(
        table,
        rows=[table.rows[k] for k in keep],
        row_numbers=[table.row_numbers[k] for k in keep],
    )


def prepare_form(table: Table, config: ProgramConfig) -> tuple[Table, FormExport]:
    """``table`` as our own columns would have it: checkbox columns merged, a form tool's
    own columns renamed where they would clash with the programme's ``[columns]``."""
    tool = detect_tool(table.header)
    if tool is None:
        return table, FormExport(None, None)
    if tool == "redcap":
        table = _drop_repeating_rows(_merge_checkboxes(table))
        return table, FormExport(tool, None)
    if tool == "msforms":
        mapped = {vocab.fold(k): v for k, v in config.columns.items()}
        if any(v == "id" for v in mapped.values()) and "id" not in mapped:
            # the form's response number is not the person's id when [columns] names one
            header = [
                f"{h} (Microsoft Forms)" if vocab.fold(h) == "id" else h for h in table.header
            ]
            table = replace(table, header=header)
        return table, FormExport(tool, ";")
    return table, FormExport(tool, ",")


def value_transforms(
    columns: Mapping[int, str], table: Table, config: ProgramConfig, form: FormExport
) -> dict[str, Callable[[str], str]]:
    """Per profile column, what turns a tool's cell into our own: multi-choice cells split
    on the tool's separator, then each value mapped by ``[values.COLUMN]`` (looked up by the
    profile column's name or by the header as written)."""
    values = {vocab.fold(k): v for k, v in config.values.items()}
    out: dict[str, Callable[[str], str]] = {}
    for index, canon in columns.items():
        if canon.startswith("extra:"):
            continue
        mapping = values.get(vocab.fold(canon)) or values.get(vocab.fold(table.header[index]))
        split = form.separator if canon in MULTI_VALUED else None
        if mapping is None and split is None:
            continue
        out[canon] = _transform(
            {vocab.fold(k): v for k, v in (mapping or {}).items()},
            split,
            canon in MULTI_VALUED,
        )
    return out


def _transform(mapping: dict[str, str], split: str | None, multi: bool) -> Callable[[str], str]:
    memo: dict[str, str] = {}

    def one(value: str) -> str:
        return mapping.get(vocab.fold(value), value.strip())

    def apply(cell: str) -> str:
        got = memo.get(cell)
        if got is not None:
            return got
        if multi:
            parts = cell.split(split) if split else [cell]
            pieces = [q for p in parts for q in p.split("|")]
            got = "|".join(one(p) for p in pieces if p.strip())
        else:
            got = one(cell) if cell.strip() else cell
        memo[cell] = got
        return got

    return apply


#: Professions matcher knows without being told (``[values.profession]`` targets and the
#: professions of ``[groups] require`` are known too).
PROFESSIONS = frozenset(
    {
        "family_physician", "nurse", "nurse_practitioner", "pharmacist", "social_worker",
        "physiotherapist", "chiropractor", "occupational_therapist", "psychologist",
        "psychiatrist", "surgeon", "medical_geneticist", "genetic_counsellor", "patient_partner",
        "peer_helper", "caregiver", "addiction_medicine_physician", "pain_medicine_physician",
        "counsellor", "paramedic", "peer_support_worker", "medical_resident", "resident",
        "medical_student", "dietitian", "emergency_physician", "anesthesiologist", "internist",
        "pediatrician", "peer_facilitator", "patient", "cancer_survivor", "project",
        "physician", "midwife", "respiratory_therapist", "speech_language_pathologist",
        "dentist", "optometrist", "personal_support_worker", "health_care_aide",
        "medical_laboratory_technologist", "radiation_therapist", "spiritual_care_provider",
        "geriatrician", "care_of_the_elderly_physician", "home_care_nurse",
        "long_term_care_nurse", "geriatric_psychiatrist", "gerontological_nurse",
    }
)  # fmt: skip
_VOCABULARY_COLUMNS = ("profession", "specialties", "lived_experience")


def unknown_values(
    mentors: list[object], mentees: list[object], config: ProgramConfig
) -> dict[str, dict[str, int]]:
    """Values of profession, specialties and lived experience that matcher does not know:
    neither in its vocabulary, nor in the programme's ``[taxonomy]``, ``[values]`` or
    ``[groups] require``, nor (areas) on the other side of the programme.  Such a value is
    usually a typo or a tool's code that ``[values]`` should map; it could never match an
    area of the same meaning spelt otherwise.  Returns column -> value -> people."""
    areas = (
        set(vocab.TAXONOMY)
        | set(vocab.TAXONOMY.values())
        | set(vocab.AREA_ALIASES.values())
        | set(config.taxonomy)
        | set(config.taxonomy.values())
    )
    targets = {
        column: {vocab.slug(v) for v in mapping.values()}
        for column, mapping in config.values.items()
    }
    known_professions = (
        PROFESSIONS
        | targets.get("profession", set())
        | {rule.profession for rule in config.groups.require}
    )
    found: dict[str, dict[str, int]] = {}
    # peer-led groups have no mentors: the peers' areas are known to one another
    sides = ((mentors, mentees), (mentees, mentors or mentees))
    for column in _VOCABULARY_COLUMNS:
        counts: dict[str, int] = {}
        for people, others in sides:
            if column == "profession":
                known = set(known_professions)
            else:
                known = areas | targets.get(column, set())
                known = known | {v for p in others for v in getattr(p, column, ())}
            for person in people:
                value = getattr(person, column, None)
                for item in (value,) if isinstance(value, str) else value or ():
                    if item not in known:
                        counts[item] = counts.get(item, 0) + 1
        if counts:
            found[column] = dict(sorted(counts.items()))
    return found


def describe_unknown_values(found: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One line per column naming each unknown value and how many people gave it, for the
    person who ran the check (``matcher validate`` prints them; logs never carry them)."""
    lines = []
    for column, counts in found.items():
        shown = ", ".join(f"{value!r} ({n})" for value, n in list(counts.items())[:30])
        more = f", and {len(counts) - 30} more" if len(counts) > 30 else ""
        lines.append(
            f"{len(counts)} unknown {column} value{'' if len(counts) == 1 else 's'}, used as "
            f"written: {shown}{more} (map a tool's codes or labels with [values.{column}] in "
            "program.toml, or add areas to [taxonomy])"
        )
    return lines


def warn_unknown_values(
    mentors: list[object], mentees: list[object], config: ProgramConfig
) -> dict[str, dict[str, int]]:
    """Log one warning per column with how many unknown values it holds and how many people
    gave them: counts only, as profile values never go to a log; ``matcher validate`` (or
    :func:`unknown_values`) lists the values themselves."""
    found = unknown_values(mentors, mentees, config)
    for column, counts in found.items():
        _log.warning(
            "%d unknown %s value%s given by %s, used as written (`matcher validate` "
            "lists them; map a tool's codes or labels with [values.%s] in program.toml, or add "
            "areas to [taxonomy])",
            len(counts),
            column,
            "" if len(counts) == 1 else "s",
            vocab.count(sum(counts.values()), "person", "people"),
            column,
        )
    return found
