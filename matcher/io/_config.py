"""Reading ``program.toml`` into a :class:`~matcher.profiles.ProgramConfig`."""

from __future__ import annotations

import re
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from matcher._errors import InvalidInputError, Problem
from matcher.profiles import ProgramConfig, vocab

__all__ = ["config_from_mapping", "load_config"]

_TABLES = (
    "program",
    "criteria",
    "columns",
    "regions",
    "taxonomy",
    "groups",
    "stable",
    "suggest",
    "values",
    "report",
    "input",
    "equity",
)


def config_from_mapping(data: dict[str, Any], *, name: str = "program.toml") -> ProgramConfig:
    """Build a config from the parsed TOML structure, reporting every problem with its key."""
    problems: list[Problem] = []
    unknown = sorted(set(data) - set(_TABLES))
    program_keys = [k for k in ProgramConfig.model_fields if k not in _TABLES]
    for key in unknown:
        near = vocab.closest(key, [*_TABLES, *program_keys])
        if near in program_keys:
            hint = f"; did you mean [program] {near}?"
        else:
            hint = f"; did you mean [{near}]?" if near is not None else ""
        problems.append(
            Problem(
                "unknown table or key",
                file=name,
                column=key,
                expected="tables " + ", ".join(f"[{t}]" for t in _TABLES) + hint,
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
    partial: ProgramConfig | None = None
    try:
        # strict: TOML has types, and "3" for a weight or "yes" for hard is a slip to name,
        # not a value to guess at; arrays become the tuples the model holds
        config = ProgramConfig.model_validate(_tuples(fields), strict=True)
    except ValidationError as exc:
        if all(error["loc"][:1] == ("equity",) for error in exc.errors()):
            partial = _without_equity_slips(fields)
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
                    # an unknown key's value says nothing (the key is named); quotes only
                    # where they are the slip ("3" for a number)
                    value=None
                    if error["type"] == "extra_forbidden"
                    else _toml_value(value, quoted=error["type"] in _TOML_TYPES),
                    expected=_expected(error, loc),
                )
            )
    if problems:
        raise InvalidInputError(problems, partial=partial)
    return config


def _without_equity_slips(fields: dict[str, Any]) -> ProgramConfig | None:
    """The configuration with ``[equity]``'s slips set aside (a share out of range read as 1,
    a mistyped mode as "equalise"), so that the rule's column and subgroups can still be
    checked against the mentees and every ``[equity]`` problem reported at once."""
    equity = fields.get("equity")
    if not isinstance(equity, dict):
        return None
    repaired = dict(equity)
    shares = repaired.get("min_share")
    if isinstance(shares, dict):
        repaired["min_share"] = {
            key: value
            if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
            else 1.0
            for key, value in shares.items()
        }
        repaired.pop("mode", None)  # "got both" is reported already
    elif "mode" in repaired:
        repaired["mode"] = "equalise"
    try:
        return ProgramConfig.model_validate(_tuples({**fields, "equity": repaired}), strict=True)
    except ValidationError:
        return None


def _toml_value(value: Any, *, quoted: bool) -> str | None:
    """A value as it was written in the TOML file (a string in quotes if ``quoted``)."""
    if isinstance(value, dict | list | tuple):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if quoted else value
    return str(value)


def _tuples(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


#: pydantic's type errors -> how the value is written in TOML
_TOML_TYPES = {
    "float_type": "a number such as 3.0 or 3 (without quotes)",
    "int_type": "a whole number such as 5 (without quotes)",
    "int_from_float": "a whole number such as 5 (without quotes)",
    "bool_type": "true or false (without quotes)",
    "string_type": 'text in quotes, such as "optimal"',
    "finite_number": "a finite number",
    "date_type": "a date such as 2026-01-12 (without quotes)",
    "dict_type": "a table",
    "model_type": "a table",
    "tuple_type": "an array [ ... ]",
}


def _friendly(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing key"
    if kind == "literal_error":
        return "invalid value"
    if kind == "finite_number":
        return "not a finite number"
    if kind in _TOML_TYPES:
        return "wrong type"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return "out of range"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _keys_at(loc: list[str]) -> list[str]:
    """The keys a table of program.toml may hold, at ``loc`` (``["groups"]`` -> GroupsConfig's)."""
    model: Any = ProgramConfig
    parts = loc[1:] if loc and loc[0] == "program" else loc
    for part in parts:
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part not in fields:
            if part.isdigit():  # an array of tables: [[groups.require]]
                continue
            return []
        model = _model_of(fields[part].annotation)
        if model is None:
            return []
    fields = getattr(model, "model_fields", None) or {}
    if model is ProgramConfig:  # [program]'s own keys; the rest are tables of their own
        return [k for k in fields if k not in _TABLES]
    return list(fields)


def _model_of(annotation: Any) -> Any:
    """The pydantic model inside a field's type (``tuple[CompositionRule, ...]`` too)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _expected(error: Any, loc: list[str]) -> str | None:
    context = error.get("ctx") or {}
    kind = error.get("type")
    given = error.get("input")
    if kind == "extra_forbidden":
        keys = _keys_at(loc[:-1])
        if not keys:
            return None
        table = ".".join(loc[:-1])
        return f"one of the keys of [{table}]: {', '.join(keys)}" + vocab.did_you_mean(
            loc[-1], keys
        )
    if kind == "literal_error" and "expected" in context:
        choices = re.findall(r"'([^']*)'", str(context["expected"]))
        hint = vocab.did_you_mean(given, choices) if isinstance(given, str) else ""
        return f"one of {context['expected']}{hint}"
    if kind in _TOML_TYPES:
        return _TOML_TYPES[kind]
    bounds = [
        f"{'>=' if key == 'ge' else '>' if key == 'gt' else '<=' if key == 'le' else '<'} "
        f"{context[key]:,}"
        for key in ("ge", "gt", "le", "lt")
        if key in context
    ]
    return "a number " + " and ".join(bounds) if bounds else None


def load_config(path: str | Path | None) -> ProgramConfig:
    """Read ``program.toml``; ``None`` gives the documented defaults."""
    if path is None:
        return ProgramConfig()
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError([Problem("file not found", file=str(path))]) from None
    except IsADirectoryError:
        raise InvalidInputError(
            [Problem("is a folder", file=str(path), expected="a program.toml file")]
        ) from None
    except OSError as exc:
        raise InvalidInputError(
            [Problem(f"cannot be read ({exc.strerror})", file=str(path))]
        ) from None
    except UnicodeDecodeError:
        raise InvalidInputError(
            [Problem("not UTF-8 text", file=path.name, expected="program.toml saved as UTF-8")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError([Problem(f"not valid TOML ({exc})", file=path.name)]) from None
    return config_from_mapping(data, name=path.name)
