"""Request and response models: the OpenAPI schema is the contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "JobCreated",
    "JobInfo",
    "JobListItem",
    "PairIn",
    "Problem",
    "ProblemDetails",
    "ProgramIn",
    "ProgramInfo",
    "ProgramMentor",
    "Progress",
    "RunRequest",
    "SuggestIn",
    "SuggestOut",
    "Suggestion",
]

Kind = Literal["match", "suggest", "solve"]
Cell = str | int | float | bool | list[str] | list[int] | None


class RunRequest(BaseModel):
    """Inputs of a run as JSON (multipart uploads carry the same names as form fields)."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = Field(default=None, description="jobs only: match, suggest or solve")
    mentors: list[dict[str, Cell]] | None = Field(
        default=None, description="profiles: keys are the canonical CSV columns"
    )
    mentees: list[dict[str, Cell]] | None = None
    config: dict[str, Any] | None = Field(default=None, description="program.toml as JSON")
    pinned: list[list[str]] | None = Field(default=None, description="[mentee_id, mentor_id]")
    forbidden: list[list[str]] | None = None
    current: list[list[str]] | None = Field(
        default=None, description="[mentee_id, mentor_id] or [mentee_id, mentor_id, status]"
    )
    edges: list[dict[str, Cell]] | list[list[str | float | int]] | None = Field(
        default=None,
        description="solve: mentee_id, mentor_id, score[, mentee_rank, mentor_rank]",
    )
    capacities: dict[str, int] | None = Field(default=None, description="solve: id -> capacity")
    method: str | None = Field(default=None, max_length=40)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    min_score: float | None = Field(default=None, ge=-1000, le=1000, allow_inf_nan=False)
    top: int | None = Field(default=None, ge=1, le=10_000)
    excel: bool = False
    delimiter: Literal[",", ";", "\t"] = ","


class Problem(BaseModel):
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    message: str


class ProblemDetails(BaseModel):
    """An error, as ``application/problem+json`` (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problems: list[Problem] = Field(default_factory=list)


class JobCreated(BaseModel):
    id: str
    status: str


class Progress(BaseModel):
    phase: str | None
    fraction: float


class JobInfo(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]
    progress: Progress
    created: str
    started: str | None
    finished: str | None
    error: dict[str, Any] | None
    summary: dict[str, Any] | None
    retry_of: str | None = None
    files: list[str] = Field(default_factory=list)


class JobListItem(BaseModel):
    id: str
    kind: str
    status: str
    created: str
    started: str | None
    finished: str | None


class ProgramIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentors: list[dict[str, Cell]]
    config: dict[str, Any] | None = None
    pairs: list[list[str]] = Field(default_factory=list, description="[mentee_id, mentor_id]")


class ProgramMentor(BaseModel):
    id: str
    capacity: int
    load: int


class ProgramInfo(BaseModel):
    id: str
    mentors: int
    capacity: int
    load: int
    pairs: int
    version: int
    per_mentor: list[ProgramMentor]


class SuggestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentee: dict[str, Cell]
    top: int = Field(default=5, ge=1, le=1000)


class Suggestion(BaseModel):
    rank: int
    mentor_id: str
    score: float
    reasons: str
    criteria: dict[str, float | None]
    load: int
    capacity: int


class SuggestOut(BaseModel):
    mentee_id: str
    suggestions: list[Suggestion]
    elapsed_ms: float


class PairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentee_id: str = Field(min_length=1, max_length=400)
    mentor_id: str = Field(min_length=1, max_length=400)
