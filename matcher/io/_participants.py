"""Turning tables of strings into validated :class:`~matcher.profiles.Participant` lists.

Every cell is checked and every problem collected before anything is raised, so a coordinator
fixes a file in one pass.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher._errors import InvalidInputError, Problem
from matcher.io._forms import prepare_form, value_transforms, warn_unknown_values
from matcher.io._table import Table, read_table, table_from_rows
from matcher.io._write import csv_bytes
from matcher.profiles import MAX_CAPACITY, Availability, Participant, ProgramConfig, vocab

__all__ = [
    "CANONICAL_COLUMNS",
    "ParticipantSet",
    "check_program",
    "load_participants",
    "load_program",
    "participants_from_table",
]

#: Canonical column -> other headers recognised without any mapping (compared folded).
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("identifiant", "record_id", "participant_id", "code"),
    "profession": ("métier", "occupation", "discipline"),
    "specialties": ("specialty", "spécialités", "spécialité", "areas", "domaines"),
    "lived_experience": ("expérience vécue", "savoir expérientiel"),
    "consent_lived_experience": ("consent", "consentement"),
    "region": ("région", "province"),
    "lat": ("latitude",),
    "lon": ("longitude", "lng"),
    "timezone": ("time_zone", "fuseau horaire", "tz"),
    "languages": ("language", "langues", "langue"),
    "availability": ("disponibilités", "disponibilité", "disponibilites"),
    "formats": ("format", "modalités", "modalites"),
    "group_formats": ("group_format", "formule"),
    "capacity": ("capacité", "capacite"),
    "years_experience": ("years", "années d'expérience", "annees experience"),
    "career_stage": ("étape de carrière", "stage"),
    "organization": ("organisation", "organisme", "employer", "employeur"),
    "gender": ("genre",),
    "gender_preference": ("préférence de genre",),
    "exclude": ("exclusions", "exclure"),
    "preferences": ("ranking", "préférences"),
}

_log = logging.getLogger(__name__)

_LOOKUP: dict[str, str] = {}
for _canon, _aliases in CANONICAL_COLUMNS.items():
    for _alias in (_canon, *_aliases):
        _LOOKUP[vocab.fold(_alias)] = _canon


def _text(cell: str) -> str | None:
    return cell.strip() or None


def _int_capacity(cell: str) -> int:
    text = cell.strip()
    expected = f"a whole number from 0 to {MAX_CAPACITY:,}"
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(expected) from None
    if not number.is_integer() or not 0 <= number <= MAX_CAPACITY:
        raise ValueError(expected)
    return int(number)


def _float_in(low: float, high: float, what: str) -> Callable[[str], float | None]:
    def parse(cell: str) -> float | None:
        text = cell.strip().replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(what) from None
        if not (low <= number <= high) or math.isnan(number):
            raise ValueError(what)
        return number

    return parse


def _each(normalize: Callable[[str], str]) -> Callable[[str], tuple[str, ...]]:
    def parse(cell: str) -> tuple[str, ...]:
        parts = vocab.split_multi(cell)
        values = []
        for part in parts:
            try:
                values.append(normalize(part))
            except ValueError as exc:
                if len(parts) == 1:
                    raise
                raise ValueError(f"{exc} ({part!r} is not)") from None
        return tuple(dict.fromkeys(values))

    return parse


def _timezone(cell: str) -> str | None:
    text = cell.strip()
    if not text:
        return None
    from matcher.profiles import check_timezone

    check_timezone(text)
    return text


def _availability(cell: str) -> Availability:
    return Availability.parse(cell)  # raises with what was expected


#: Each column's parser: a cell's text to the field's final value, exactly as the
#: Participant model's own validators would make it (rows are then built without validating
#: again, see participants_from_table).
_PARSERS: dict[str, Callable[[str], Any]] = {
    "id": vocab.normalize_id,
    "profession": Participant._slug_or_none,
    "specialties": Participant._slugs,
    "lived_experience": Participant._slugs,
    "consent_lived_experience": vocab.parse_bool,
    "region": _text,  # handled apart: the programme's regions
    "lat": _float_in(-90, 90, "a latitude in decimal degrees between -90 and 90"),
    "lon": _float_in(-180, 180, "a longitude in decimal degrees between -180 and 180"),
    "timezone": _timezone,
    "languages": _each(vocab.normalize_language),
    "availability": _availability,
    "formats": _each(vocab.normalize_format),
    "group_formats": _each(vocab.normalize_group_format),
    "capacity": _int_capacity,
    "years_experience": _float_in(0, 80, "a number of years between 0 and 80"),
    "career_stage": Participant._slug_or_none,
    "organization": Participant._strip_or_none,
    "gender": Participant._slug_or_none,
    "gender_preference": Participant._slug_or_none,
    "exclude": Participant._ids,
    "preferences": Participant._ids,
}


#: Columns whose cells rarely repeat: parsed each time rather than remembered.
_UNCACHED = frozenset({"id", "lat", "lon", "exclude", "preferences"})


def _known_region(region: str, config: ProgramConfig) -> bool:
    folded = vocab.fold(region)
    return region in vocab.PROVINCES or any(vocab.fold(r) == folded for r in config.regions)


def _programme_region(cell: str, config: ProgramConfig) -> str:
    """A province code, a ``[regions]`` name as the programme spells it, or the text as given
    (reported by :func:`check_program` if it is neither)."""
    try:
        return vocab.normalize_region(cell, config.regions)
    except ValueError:
        return cell.strip()


@dataclass
class ParticipantSet:
    """Participants read from one source, with where each came from (for located messages)."""

    name: str
    role: str
    participants: list[Participant]
    rows: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    extra_columns: list[str] = field(default_factory=list)
    path: Path | None = None
    #: id -> (row, exclude ids, preference ids) for every row read, valid or not, so that
    #: cross-file checks report their problems alongside the cells' own
    refs: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    regions_checked: bool = False
    digest: str | None = None  # sha256 of an in-memory input (DataFrame or list)


def _same_meaning(
    table: Table, header: str, first: str, canon: str, user: Mapping[str, str]
) -> Problem:
    """The problem of a second header read as the same canonical column, and how to keep both."""
    aliases = ", ".join(f"'{name}'" for name in (canon, *CANONICAL_COLUMNS[canon]))
    mapped = vocab.fold(header) in user
    why = (
        f"mapped in [columns] to '{canon}'"
        if mapped
        else f"read as the canonical column '{canon}' (as are the headers {aliases})"
    )
    keep = header if vocab.fold(header) != vocab.fold(canon) else first
    return Problem(
        f"'{header}' is {why}, and so is '{first}'",
        file=table.name,
        row=1,
        column=header,
        expected=(
            f"one column for '{canon}'; to keep both, rename '{keep}' in the file "
            f"(e.g. 'home_{vocab.fold(keep).replace(' ', '_')}'), or add "
            f'"{keep}" = "{keep}" under [columns] in program.toml to pass it through as it is'
        ),
    )


def _map_header(table: Table, mapping: Mapping[str, str]) -> tuple[dict[int, str], list[Problem]]:
    """Column index -> canonical name (or ``extra:<header>`` for pass-through columns)."""
    user = {vocab.fold(k): v for k, v in mapping.items()}
    problems: list[Problem] = []
    result: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, header in enumerate(table.header):
        key = vocab.fold(header)
        canon = user.get(key) or _LOOKUP.get(key)
        if canon is not None and vocab.fold(canon) == key and canon not in CANONICAL_COLUMNS:
            canon = None  # `"Province" = "Province"` keeps a header that names a column as it is
        if canon is not None and canon not in CANONICAL_COLUMNS:
            problems.append(
                Problem(
                    f"[columns] maps this header to unknown column '{canon}'",
                    file=table.name,
                    row=1,
                    column=header,
                    expected="one of " + ", ".join(CANONICAL_COLUMNS),
                )
            )
            canon = None
        if canon is None:
            if not header and all(
                not (r[index].strip() if index < len(r) else "") for r in table.rows
            ):
                continue  # the empty trailing columns Excel leaves (;;;)
            name, copy = header, 2
            while f"extra:{name}" in result.values():  # a repeated header keeps every column
                name, copy = f"{header} ({copy})", copy + 1
            result[index] = f"extra:{name}"
            continue
        if canon in seen:
            problems.append(_same_meaning(table, header, table.header[seen[canon]], canon, user))
            continue
        seen[canon] = index
        result[index] = canon
    if "id" not in seen:
        problems.append(
            Problem(
                "no 'id' column",
                file=table.name,
                row=1,
                expected="a column named id (or mapped to id in program.toml [columns])",
            )
        )
    return result, problems


_MODEL_FIELDS = Participant.model_fields
#: Every field of a participant in order, with its default (all immutable; None for the
#: fields every row gives, and for ``extra``, which is given per row).
_FIELDS = {
    name: None if field.is_required() or field.default_factory else field.default
    for name, field in Participant.model_fields.items()
}
#: Whether ``_construct`` can build a participant as ``model_construct`` would.
_PLAIN = (
    not Participant.__pydantic_post_init__
    and not Participant.__private_attributes__
    and Participant.model_config.get("extra") != "allow"
    and all(f.alias is None and f.validation_alias is None for f in _MODEL_FIELDS.values())
)


def _construct(values: dict[str, Any], extra: dict[str, str]) -> Participant:
    """``Participant.model_construct(**values, extra=extra)`` for values the validators would
    keep as they are: the same instance, without pydantic's lookups of aliases and defaults
    field by field (about 2 s at 120,000 rows)."""
    given = set(values) | {"extra"}
    if not _PLAIN:  # pragma: no cover - the model has none of what this skips
        return Participant.model_construct(given, **values, extra=extra)
    fields = dict(_FIELDS)
    fields.update(values)
    fields["extra"] = extra
    participant = Participant.__new__(Participant)
    object.__setattr__(participant, "__dict__", fields)
    object.__setattr__(participant, "__pydantic_fields_set__", given)
    object.__setattr__(participant, "__pydantic_extra__", None)
    object.__setattr__(participant, "__pydantic_private__", None)
    return participant


def participants_from_table(
    table: Table, role: str, config: ProgramConfig | None = None
) -> ParticipantSet:
    """Validate every cell of ``table`` and build participants; raise with every problem found."""
    config = config or ProgramConfig()
    table, form = prepare_form(table, config)
    columns, problems = _map_header(table, config.columns)
    transforms = value_transforms(columns, table, config, form)
    out = ParticipantSet(table.name, role, [], regions_checked=True)
    out.columns = {c: table.header[i] for i, c in columns.items() if not c.startswith("extra:")}
    out.extra_columns = [c[6:] for c in columns.values() if c.startswith("extra:")]
    if any(p.row == 1 and "id" in p.message for p in problems):
        raise InvalidInputError(problems)
    width = len(table.header)
    # the same cell text parses the same way: an export repeats most of them many times
    memo: dict[tuple[str, str], Any] = {}
    for record, number in zip(table.rows, table.row_numbers, strict=True):
        if len(record) > width and any(c.strip() for c in record[width:]):
            problems.append(
                Problem(
                    f"the row has {len(record)} cells but the header has {width} columns",
                    file=table.name,
                    row=number,
                    expected="no more cells than header columns (check the delimiter and quotes)",
                )
            )
        values: dict[str, Any] = {"role": role}
        extra: dict[str, str] = {}
        row_ok = True
        for index, canon in columns.items():
            cell = record[index] if index < len(record) else ""
            if canon.startswith("extra:"):
                extra[canon[6:]] = cell
                continue
            written = cell
            if transforms and canon in transforms:
                cell = transforms[canon](cell)
            if not cell.strip():
                if canon == "id":
                    values["id"] = ""
                continue
            try:
                if canon == "region":
                    key = ("region", cell)
                    if key not in memo:
                        region = Participant._region(_programme_region(cell, config))
                        memo[key] = (region, _known_region(region, config))
                    values[canon], known = memo[key]
                    if not known:
                        row_ok = False
                        problems.append(
                            Problem(
                                "unknown region",
                                file=table.name,
                                row=number,
                                column=table.header[index],
                                value=written,
                                expected=_region_expected(config.regions, written),
                            )
                        )
                    continue
                key = (canon, cell)
                if canon in _UNCACHED:
                    values[canon] = _PARSERS[canon](cell)
                elif key in memo:
                    values[canon] = memo[key]
                else:
                    values[canon] = memo[key] = _PARSERS[canon](cell)
            except ValueError as exc:
                row_ok = False
                expected = str(exc)
                if canon == "capacity" and role == "mentee":
                    expected = f"a whole number from 1 to {MAX_CAPACITY:,} (mentors wanted)"
                problems.append(
                    Problem(
                        f"invalid {canon}",
                        file=table.name,
                        row=number,
                        column=table.header[index],
                        value=written,
                        expected=expected,
                    )
                )
        pid = values.get("id")
        if pid is None:
            continue  # an id that is no id: reported above
        if not pid:
            problems.append(
                Problem(
                    "missing id",
                    file=table.name,
                    row=number,
                    column=out.columns.get("id", "id"),
                    value="",
                    expected="a non-empty id, unique within the file",
                )
            )
            continue
        if pid in out.rows:
            problems.append(
                Problem(
                    f"duplicate id (first on row {out.rows[pid]})",
                    file=table.name,
                    row=number,
                    column=out.columns.get("id", "id"),
                    value=pid,
                    expected="ids unique within the file",
                )
            )
            continue
        out.rows[pid] = number
        out.refs[pid] = (
            number,
            tuple(values.get("exclude", ())),
            tuple(values.get("preferences", ())),
        )
        if role == "mentee" and values.get("capacity") == 0:
            problems.append(
                Problem(
                    "invalid capacity",
                    file=table.name,
                    row=number,
                    column=out.columns["capacity"],
                    value="0",
                    expected="a whole number >= 1 (mentors wanted)",
                )
            )
            row_ok = False
        if not row_ok:
            continue
        if ("lat" in values) != ("lon" in values):
            problems.append(
                Problem(
                    "lat and lon must be given together",
                    file=table.name,
                    row=number,
                    column=out.columns.get("lat" if "lat" in values else "lon"),
                )
            )
            continue
        try:
            # every value is already what the model's validators would make of it
            out.participants.append(_construct(values, extra))
        except ValidationError as exc:  # pragma: no cover - model_construct does not validate
            for error in exc.errors():
                loc = error["loc"][0] if error["loc"] else None
                if loc is None and "lat" in error["msg"]:
                    loc = "lat" if "lat" in values else "lon"
                column = out.columns.get(str(loc), str(loc)) if loc is not None else None
                problems.append(Problem(error["msg"], file=table.name, row=number, column=column))
    warn_near_duplicates(out.name, out.rows)
    if problems:
        raise InvalidInputError(problems, partial=out)
    return out


def near_duplicates(rows: Mapping[str, int]) -> list[list[str]]:
    """Groups of ids that differ only by case, width or lookalike letters (``E001``,
    ``e001``, ``Е001`` with a Cyrillic ``Е``): different people to matcher, perhaps one
    person typed twice."""
    groups: dict[str, list[str]] = {}
    for pid in rows:
        groups.setdefault(vocab.id_key(pid), []).append(pid)
    return [ids for ids in groups.values() if len(ids) > 1]


def warn_near_duplicates(name: str, rows: Mapping[str, int]) -> None:
    """Log a warning naming ids (never profile fields) that may be one person twice."""
    groups = near_duplicates(rows)
    if not groups:
        return
    shown = "; ".join(
        " and ".join(f"{pid!r} (row {rows[pid]})" for pid in ids) for ids in groups[:10]
    )
    more = f"; and {len(groups) - 10} more" if len(groups) > 10 else ""
    _log.warning(
        "%s: %d group(s) of ids differ only by case, width or lookalike letters and are "
        "treated as different people: %s%s",
        name,
        len(groups),
        shown,
        more,
    )


def _missing(value: Any) -> bool:
    """None, NaN, pandas.NA or NaT: an empty cell."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)  # NaN-like (pandas.NaT)
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def dataframe_table(frame: Any, name: str) -> Table:
    """A pandas DataFrame as a :class:`Table` of strings (missing values empty)."""
    header = [str(c) for c in frame.columns]
    rows: list[list[str]] = []
    for record in frame.itertuples(index=False, name=None):
        row = []
        for value in record:
            if _missing(value):
                row.append("")
            elif isinstance(value, list | tuple | set):
                row.append("|".join(str(v) for v in value))
            elif isinstance(value, float) and value.is_integer():
                row.append(str(int(value)))
            else:
                row.append(str(value))
        rows.append(row)
    return table_from_rows(name, header, rows)


def load_participants(
    source: str | Path | Sequence[Participant] | Any,
    role: str,
    config: ProgramConfig | None = None,
    *,
    name: str | None = None,
) -> ParticipantSet:
    """Participants from a CSV path, a pandas DataFrame or a list of models."""
    if isinstance(source, str | Path):
        path = Path(source)
        sheet = config.input.sheet if config is not None else None
        table = read_table(path, name=name or path.name, sheet=sheet)
        result = participants_from_table(table, role, config)
        result.path = path
        return result
    if hasattr(source, "itertuples") and hasattr(source, "columns"):
        table = dataframe_table(source, name or f"<{role}s DataFrame>")
        frame_set = participants_from_table(table, role, config)
        frame_set.digest = hashlib.sha256(
            csv_bytes(table.header, table.rows, safe=False)
        ).hexdigest()
        return frame_set
    if isinstance(source, Sequence) and all(isinstance(p, Participant) for p in source):
        label = name or f"<{role}s list>"
        result = ParticipantSet(label, role, [])
        result.digest = hashlib.sha256(
            "\n".join(p.model_dump_json() for p in source if isinstance(p, Participant)).encode()
        ).hexdigest()
        problems = []
        for k, p in enumerate(source):
            if p.id in result.rows:
                problems.append(
                    Problem(
                        f"duplicate id (first at index {result.rows[p.id]})",
                        file=label,
                        row=k,
                        column="id",
                        value=p.id,
                    )
                )
                continue
            result.rows[p.id] = k
            if role == "mentee" and p.capacity == 0:
                problems.append(
                    Problem(
                        "invalid capacity",
                        file=label,
                        row=k,
                        column="capacity",
                        value="0",
                        expected="a whole number >= 1 (mentors wanted)",
                    )
                )
            extra = p.extra if p.role == role else {**p.extra}
            result.participants.append(
                p if p.role == role else p.model_copy(update={"role": role, "extra": extra})
            )
        warn_near_duplicates(label, result.rows)
        if problems:
            raise InvalidInputError(problems)
        return result
    raise InvalidInputError(
        [
            Problem(
                f"cannot read {role}s from a {type(source).__name__}",
                expected="a CSV path, a pandas DataFrame or a list of matcher.Participant",
            )
        ]
    )


def check_program(mentors: ParticipantSet, mentees: ParticipantSet, config: ProgramConfig) -> None:
    """Cross-file checks: known regions, and ``exclude``/``preferences`` naming real ids of the
    other file.  Ids need only be unique within their own file (two REDCap projects both
    number their records from 1)."""
    problems: list[Problem] = []
    warn_unknown_values(list(mentors.participants), list(mentees.participants), config)
    mentor_ids = set(mentors.rows)
    mentee_ids = set(mentees.rows)
    for group, others, other_name in (
        (mentors, mentee_ids, "mentees"),
        (mentees, mentor_ids, "mentors"),
    ):
        if not group.regions_checked:
            for p in group.participants:
                if p.region is not None and not _known_region(p.region, config):
                    problems.append(
                        Problem(
                            "unknown region",
                            file=group.name,
                            row=group.rows[p.id],
                            column=group.columns.get("region", "region"),
                            value=p.region,
                            expected=_region_expected(config.regions, p.region),
                        )
                    )
        refs = group.refs or {
            p.id: (group.rows[p.id], p.exclude, p.preferences) for p in group.participants
        }
        everyone = mentor_ids | mentee_ids  # peers in a group may exclude each other too
        for pid, (row, exclude, _) in refs.items():
            # ids are unique per file only: mentor '7' may exclude mentee '7'
            if pid in exclude and pid not in others:
                problems.append(
                    Problem(
                        "a person cannot exclude themselves",
                        file=group.name,
                        row=row,
                        column=group.columns.get("exclude", "exclude"),
                        value=pid,
                        expected="ids of other people never to be paired with",
                    )
                )
        for row, exclude, preferences in refs.values():
            for column, ids, valid, where in (
                ("exclude", exclude, everyone, "either file"),
                ("preferences", preferences, others, f"the {other_name} file"),
            ):
                for other in ids:
                    if other not in valid:
                        problems.append(
                            Problem(
                                f"{column} names an id that is not in {where}",
                                file=group.name,
                                row=row,
                                column=group.columns.get(column, column),
                                value=other,
                                expected=f"ids from {where}",
                            )
                        )
    if problems:
        raise InvalidInputError(problems)


def load_program(
    mentors: Any, mentees: Any, config: ProgramConfig
) -> tuple[ParticipantSet, ParticipantSet]:
    """Both sides, with every problem of both (cells, regions, cross-file ids) at once."""
    problems: list[Problem] = []
    sets: dict[str, ParticipantSet] = {}
    for role, source in (("mentor", mentors), ("mentee", mentees)):
        try:
            sets[role] = load_participants(source, role, config)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
            if isinstance(exc.partial, ParticipantSet):
                sets[role] = exc.partial
    if len(sets) == 2:
        try:
            check_program(sets["mentor"], sets["mentee"], config)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(problems)
    return sets["mentor"], sets["mentee"]


def _region_expected(custom: Iterable[str], given: str = "") -> str:
    names = sorted(custom)
    near = vocab.closest_region(given, names) if given else None
    hint = f"; did you mean {near!r}?" if near is not None else ""
    text = "a Canadian province/territory code or name (e.g. NB, Nouveau-Brunswick)"
    if names:
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        text += f" or a region defined in program.toml [regions] ({shown})"
    else:
        text += " or a region defined in program.toml [regions]"
    return text + hint
