"""Pydantic models: participants, their weekly availability, and the programme configuration."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Sequence
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matcher.profiles import vocab

__all__ = [
    "CRITERIA",
    "MAX_CAPACITY",
    "MAX_SCORE",
    "MAX_SEED",
    "MAX_WEIGHT",
    "METHOD_NAMES",
    "Availability",
    "CompositionRule",
    "CriterionConfig",
    "GroupsConfig",
    "MethodName",
    "Participant",
    "ProgramConfig",
    "RegionDef",
    "Slot",
    "StableConfig",
    "SuggestConfig",
]

Role = Literal["mentor", "mentee", "peer"]

#: Largest capacity a mentor may state (a national service's largest group is far smaller).
MAX_CAPACITY = 1_000_000
#: Largest weight of a criterion: weights are relative, and scores stay exact in float64.
MAX_WEIGHT = 1_000.0
#: Scores given to ``matcher.solve`` lie within +-MAX_SCORE (the flow solver's integer costs
#: keep 1e-6 resolution within it); scores matcher computes lie in [0, 1].
MAX_SCORE = 1000.0
#: Seeds are whole numbers from 0 to 2**63 - 1 (what a 64-bit generator takes).
MAX_SEED = 2**63 - 1
#: The matching methods ``program.toml`` may name, in the order of the engine's method table
#: (:data:`matcher.METHODS`), which checks at import that it runs exactly these.
MethodName = Literal["optimal", "fair", "stable", "groups", "suggest"]
METHOD_NAMES: tuple[str, ...] = get_args(MethodName)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return vocab.split_multi(value)
    if isinstance(value, Sequence | set | frozenset):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ValueError(f"a '|'-separated string or a list, got {type(value).__name__}")


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _normalized(value: Any, normalize: Any) -> tuple[str, ...]:
    """``value`` split and normalised; texts and tuples repeat a lot in an export, so their
    results are cached (per normaliser)."""
    if isinstance(value, str | tuple):
        try:
            return _normalized_cached(value, normalize)
        except TypeError:  # a tuple holding something unhashable
            pass
    return _unique([normalize(v) for v in _as_list(value)])


@functools.lru_cache(maxsize=65536)
def _normalized_cached(value: str | tuple[Any, ...], normalize: Any) -> tuple[str, ...]:
    return _unique([normalize(v) for v in _as_list(value)])


class Slot(BaseModel):
    """One weekly slot in the participant's local time: ``day`` 0 = Monday, minutes from 00:00."""

    model_config = ConfigDict(frozen=True)

    day: Annotated[int, Field(ge=0, le=6)]
    start: Annotated[int, Field(ge=0, le=24 * 60)]
    end: Annotated[int, Field(ge=0, le=24 * 60)]

    @model_validator(mode="after")
    def _ends_after_start(self) -> Slot:
        if self.end <= self.start:
            raise ValueError("a slot must end after it starts")
        return self

    def __str__(self) -> str:
        return vocab.format_slot(self.day, self.start, self.end)


class Availability(BaseModel):
    """Weekly availability: slots in local time (the participant's time zone).

    >>> Availability.parse("mon 18:00-20:00|wed 12:00-13:30").minutes
    210
    >>> str(Availability.model_validate(["mon 18:00-20:00", "mer 12:00-13:30"]))
    'mon 18:00-20:00|wed 12:00-13:30'
    """

    model_config = ConfigDict(frozen=True)

    slots: tuple[Slot, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Availability:
        """Parse ``'mon 18:00-20:00|wed 12:00-13:30'`` (English or French day names)."""
        return _parse_availability(text)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"slots": [Slot(day=d, start=s, end=e) for d, s, e in vocab.parse_slots(data)]}
        if isinstance(data, list | tuple):
            # like the other multi-valued fields: ["mon 18:00-20:00", "wed 12:00-13:30"]
            # (each text may itself hold several slots), Slot objects or their dicts
            slots: list[Any] = []
            for item in data:
                if isinstance(item, str):
                    slots.extend(_parse_availability(item).slots)
                else:
                    slots.append(item)
            return {"slots": slots}
        return data

    @property
    def minutes(self) -> int:
        """Total minutes per week (overlapping slots counted once)."""
        covered: set[tuple[int, int]] = set()
        for s in self.slots:
            covered.update((s.day, m) for m in range(s.start, s.end))
        return len(covered)

    def __str__(self) -> str:
        return "|".join(str(s) for s in self.slots)


class Participant(BaseModel):
    """A mentor, mentee or peer, as in DESIGN.md's profile table.

    Multi-valued fields accept a ``'|'``-separated string or a list; names are normalised
    (``'Français'`` -> ``'fr'``, ``'Nouveau-Brunswick'`` -> ``'NB'``,
    ``'virtuel'`` -> ``'virtual'``).

    >>> p = Participant(id="m1", role="mentor", languages="français|English", region="Nova Scotia")
    >>> p.languages, p.region, p.capacity
    (('fr', 'en'), 'NS', 1)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(min_length=1)]
    role: Role = "mentee"
    profession: str | None = None
    specialties: tuple[str, ...] = ()
    lived_experience: tuple[str, ...] = ()
    consent_lived_experience: bool = False
    region: str | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    availability: Availability = Availability()
    formats: tuple[str, ...] = ()
    group_formats: tuple[str, ...] = ()
    capacity: Annotated[int, Field(ge=0, le=MAX_CAPACITY)] = 1
    years_experience: Annotated[float, Field(ge=0, le=80)] | None = None
    career_stage: str | None = None
    organization: str | None = None
    gender: str | None = None
    gender_preference: str | None = None
    exclude: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()
    extra: dict[str, str] = Field(default_factory=dict)

    @field_validator("id", mode="before")
    @classmethod
    def _strip_id(cls, value: Any) -> Any:
        return vocab.normalize_id(value) if isinstance(value, str) else value

    @field_validator("profession", "career_stage", "gender", "gender_preference", mode="before")
    @classmethod
    def _slug_or_none(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            text = vocab.slug(value)
            return None if text in {"any", "none", "no_preference", "indifferent"} else text
        return value

    @field_validator("organization", mode="before")
    @classmethod
    def _strip_or_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("specialties", "lived_experience", mode="before")
    @classmethod
    def _slugs(cls, value: Any) -> tuple[str, ...]:
        return _normalized(value, vocab.normalize_area)

    @field_validator("exclude", "preferences", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> tuple[str, ...]:
        return _unique([vocab.normalize_id(v) for v in _as_list(value)])

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> tuple[str, ...]:
        return _normalized(value, vocab.normalize_language)

    @field_validator("formats", mode="before")
    @classmethod
    def _formats(cls, value: Any) -> tuple[str, ...]:
        return _normalized(value, vocab.normalize_format)

    @field_validator("group_formats", mode="before")
    @classmethod
    def _group_formats(cls, value: Any) -> tuple[str, ...]:
        return _normalized(value, vocab.normalize_group_format)

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            try:
                return vocab.normalize_region(value)
            except ValueError:
                return value.strip()  # a programme-defined region, checked against the config
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            check_timezone(value.strip())
            return value.strip()
        return value

    @model_validator(mode="after")
    def _coordinates_together(self) -> Participant:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


@functools.lru_cache(maxsize=65536)
def _parse_availability(text: str) -> Availability:
    # frozen models: one shared instance per distinct text is safe and saves re-validation
    slots = tuple(_slot(d, s, e) for d, s, e in vocab.parse_slots(text))
    return Availability(slots=slots)


@functools.lru_cache(maxsize=65536)
def _slot(day: int, start: int, end: int) -> Slot:
    return Slot(day=day, start=start, end=end)


def check_timezone(name: str) -> None:
    """Raise ``ValueError`` unless ``name`` is an IANA time zone (``America/Halifax``)."""
    if len(name) > 64:  # the longest IANA name has 32 characters
        raise ValueError("an IANA time zone such as America/Halifax")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("an IANA time zone such as America/Halifax") from None


#: Every scoring criterion, with its default weight and whether it is hard by default.
CRITERIA: dict[str, tuple[float, bool]] = {
    "specialty": (3.0, False),
    "lived_experience": (2.0, False),
    "language": (2.0, True),
    "format": (1.0, True),
    "availability": (2.0, False),
    "region": (1.0, False),
    "group_format": (0.5, False),
    "profession": (1.0, False),
    "experience": (1.0, False),
    "gender": (1.0, False),
    "organization": (1.0, False),
    "preference": (1.0, False),
}


class CriterionConfig(BaseModel):
    """Weight of one criterion in the weighted mean, and whether it is a hard constraint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
    hard: bool = False


class RegionDef(BaseModel):
    """A programme-defined region (a health zone, a country): its time zone and centre."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        check_timezone(value)
        return value


def _default_criteria() -> dict[str, CriterionConfig]:
    return {name: CriterionConfig(weight=w, hard=h) for name, (w, h) in CRITERIA.items()}


class CompositionRule(BaseModel):
    """At least ``min`` (and at most ``max``) members of ``profession`` in every group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    profession: str
    min: Annotated[int, Field(ge=0, le=10_000)] = 1
    max: Annotated[int, Field(ge=0, le=10_000)] | None = None

    @field_validator("profession")
    @classmethod
    def _slug(cls, value: str) -> str:
        return vocab.slug(value)


class GroupsConfig(BaseModel):
    """How small groups are formed (method ``groups``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    leader: Literal["mentor", "none"] = "mentor"
    min_size: Annotated[int, Field(ge=2, le=10_000)] = 4
    max_size: Annotated[int, Field(ge=2, le=10_000)] = 8
    time_limit_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 20.0
    require: tuple[CompositionRule, ...] = ()
    distinct_organizations: bool = False
    max_same_profession: Annotated[int, Field(ge=0, le=10_000)] = 0
    member_weight: Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)] = 1.0
    max_exact_members: Annotated[int, Field(ge=1, le=1_000_000)] = 120

    @model_validator(mode="after")
    def _sizes(self) -> GroupsConfig:
        if self.max_size < self.min_size:
            raise ValueError(f"max_size ({self.max_size}) must be >= min_size ({self.min_size})")
        return self


class StableConfig(BaseModel):
    """Rankings for method ``stable``: what to do with compatible partners nobody ranked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unranked: Literal["after", "unacceptable"] = "after"


class SuggestConfig(BaseModel):
    """Mentee-choice programmes: how many mentors to suggest to each mentee."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    top: Annotated[int, Field(ge=1, le=10_000)] = 5


class ReportConfig(BaseModel):
    """``[report]``: the equity section's subgroups beyond region, language, profession,
    gender and formats, and the spread between subgroups that is flagged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subgroups: tuple[str, ...] = ()
    flag_spread: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.1


class EquityConfig(BaseModel):
    """``[equity]``: coverage across the subgroups of one mentee column, for methods optimal
    and fair.  Either ``mode = "equalise"`` (the lowest coverage rate among the subgroups as
    high as it can be, then the usual objective) or ``min_share`` (each named subgroup's
    coverage rate at least that share of the overall rate).  No ``column``: no rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: Annotated[str, Field(min_length=1)] | None = None
    mode: Literal["equalise"] | None = None
    min_share: dict[str, Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> EquityConfig:
        if self.column is None:
            if self.mode is not None or self.min_share is not None:
                raise ValueError('[equity] needs column = "..." naming the mentee column')
            return self
        if (self.mode is None) == (self.min_share is None):
            raise ValueError(
                '[equity] needs exactly one of mode = "equalise" or min_share = { ... }, '
                + ("got both" if self.mode is not None else "got neither")
            )
        if self.min_share is not None and not self.min_share:
            raise ValueError("[equity] min_share names no subgroup")
        return self

    @property
    def active(self) -> bool:
        """Whether a rule is set."""
        return self.column is not None


class InputConfig(BaseModel):
    """``[input]``: which sheet of an .xlsx workbook holds the profiles (default: the first)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sheet: str | None = None


class ProgramConfig(BaseModel):
    """How a programme matches: weights, hard constraints, rules, column names, regions.

    Mirrors ``program.toml``: the ``[program]`` table's keys are fields here; ``[criteria.NAME]``,
    ``[columns]``, ``[regions]`` and ``[taxonomy]`` are the tables of the same names.

    >>> cfg = ProgramConfig(criteria={"specialty": {"weight": 5}})
    >>> cfg.criteria["specialty"].weight, cfg.criteria["language"].hard
    (5.0, True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "matcher programme"
    method: MethodName = "optimal"
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 0
    min_score: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    session_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    min_overlap_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 0
    profession_rule: Literal["same", "different", "any"] = "any"
    same_organization: Literal["allow", "avoid", "forbid"] = "allow"
    min_experience_gap: Annotated[float, Field(ge=-80, le=80, allow_inf_nan=False)] = 0.0
    in_person_max_km: Annotated[float, Field(gt=0, le=40_075, allow_inf_nan=False)] | None = None
    distance_scale_km: Annotated[float, Field(gt=0, le=40_075, allow_inf_nan=False)] = 500.0
    reference_date: _dt.date = _dt.date(2026, 1, 12)
    criteria: dict[str, CriterionConfig] = Field(default_factory=_default_criteria)
    columns: dict[str, str] = Field(default_factory=dict)
    regions: dict[str, RegionDef] = Field(default_factory=dict)
    taxonomy: dict[str, str] = Field(default_factory=dict)
    groups: GroupsConfig = GroupsConfig()
    stable: StableConfig = StableConfig()
    suggest: SuggestConfig = SuggestConfig()
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    report: ReportConfig = ReportConfig()
    input: InputConfig = InputConfig()
    equity: EquityConfig = EquityConfig()

    @field_validator("criteria", mode="before")
    @classmethod
    def _merge_defaults(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        unknown = sorted(set(value) - set(CRITERIA))
        if unknown:
            hints = "".join(vocab.did_you_mean(name, CRITERIA) for name in unknown[:1])
            raise ValueError(
                f"unknown criterion {', '.join(map(repr, unknown))}; "
                f"expected one of {', '.join(CRITERIA)}{hints}"
            )
        merged: dict[str, Any] = {}
        for name, (weight, hard) in CRITERIA.items():
            given = value.get(name, {})
            if isinstance(given, CriterionConfig):
                given = given.model_dump()
            if not isinstance(given, dict):
                raise ValueError(f"criteria.{name} must be a table with weight and/or hard")
            merged[name] = {"weight": weight, "hard": hard, **given}
        return merged

    @field_validator("taxonomy", mode="before")
    @classmethod
    def _slug_taxonomy(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {vocab.slug(str(k)): vocab.slug(str(v)) for k, v in value.items()}
        return value

    def hard(self, criterion: str) -> bool:
        """Whether ``criterion`` is a hard constraint in this programme."""
        return self.criteria[criterion].hard

    def weight(self, criterion: str) -> float:
        """The weight of ``criterion`` in the weighted mean."""
        return self.criteria[criterion].weight
