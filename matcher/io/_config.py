"""Reading ``program.toml`` into a :class:`~matcher.profiles.ProgramConfig`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher._errors import InvalidInputError, Problem
from matcher.profiles import ProgramConfig

__all__ = ["config_from_mapping", "load_config"]

_TABLES = ("program", "criteria", "columns", "regions", "taxonomy", "groups", "stable", "suggest")


def config_from_mapping(data: dict[str, Any], *, name: str = "program.toml") -> ProgramConfig:
    """Build a config from the parsed TOML structure, reporting every problem with its key."""
    problems: list[Problem] = []
    unknown = sorted(set(data) - set(_TABLES))
    for key in unknown:
        problems.append(
            Problem(
                "unknown table or key",
                file=name,
                column=key,
                expected="tables " + ", ".join(f"[{t}]" for t in _TABLES),
            )
        )
    program = data.get("program", {})
    if not isinstance(program, dict):
        problems.append(Problem("[program] must be a table", file=name, column="program"))
        program = {}
    fields = {**program}
    for table in _TABLES[1:]:
        if table in data:
            fields[table] = data[table]
    try:
        config = ProgramConfig(**fields)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            if loc and loc[0] not in _TABLES[1:]:
                loc = ["program", *loc]
            value = error.get("input")
            problems.append(
                Problem(
                    _friendly(error),
                    file=name,
                    column=".".join(loc),
                    value=None if isinstance(value, dict | list) else str(value),
                    expected=_expected(error),
                )
            )
    if problems:
        raise InvalidInputError(problems)
    return config


def _friendly(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing key"
    if kind == "literal_error":
        return "invalid value"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _expected(error: Any) -> str | None:
    context = error.get("ctx") or {}
    if error.get("type") == "literal_error" and "expected" in context:
        return f"one of {context['expected']}"
    return None


def load_config(path: str | Path | None) -> ProgramConfig:
    """Read ``program.toml``; ``None`` gives the documented defaults."""
    if path is None:
        return ProgramConfig()
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError([Problem("file not found", file=str(path))]) from None
    except UnicodeDecodeError:
        raise InvalidInputError(
            [Problem("not UTF-8 text", file=path.name, expected="program.toml saved as UTF-8")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError([Problem(f"not valid TOML ({exc})", file=path.name)]) from None
    return config_from_mapping(data, name=path.name)
