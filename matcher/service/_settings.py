"""The service's settings: one typed object read from the environment (``MATCHER_*``)."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Where the service keeps its data and what it allows; printed at start without secrets."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    data_dir: Path = Field(default=Path("matcher-data"), description="database, queue, temp files")
    token: str | None = Field(default=None, description="one bearer token (tenant 'default')")
    tokens_file: Path | None = Field(default=None, description="lines 'token tenant'")
    db: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    queue: str | None = Field(default=None, description="redis://...; default SQLite in data_dir")
    max_body_mb: float = Field(default=50.0, gt=0)
    retention_days: float = Field(default=7.0, gt=0)
    job_time_limit_s: float | None = Field(default=None, gt=0)
    #: synchronous routes refuse problems above this many mentee x mentor pairs (413: use jobs)
    sync_max_pairs: int = Field(default=200_000, ge=1)
    #: most profiles (rows) in one file of a request or a job
    max_rows: int = Field(default=1_000_000, ge=1)
    #: a running job whose worker sent no heartbeat for this long is marked interrupted
    heartbeat_timeout_s: float = Field(default=15.0, gt=0)
    heartbeat_s: float = Field(default=1.0, gt=0)
    #: how often the worker looks for a cancel request or the time limit
    poll_s: float = Field(default=0.1, gt=0)

    def db_url(self) -> str:
        return self.db or f"sqlite:///{(self.data_dir / 'matcher.db').resolve()}"

    def queue_url(self) -> str:
        return self.queue or f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"

    def tokens(self) -> dict[str, str]:
        """token -> tenant (empty: no authentication)."""
        found: dict[str, str] = {}
        if self.token:
            found[self.token] = "default"
        if self.tokens_file is not None:
            for number, line in enumerate(self.tokens_file.read_text("utf-8").splitlines(), 1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                parts = text.split()
                if len(parts) != 2:
                    raise ValueError(
                        f"{self.tokens_file}, line {number}: expected 'token tenant', "
                        f"got {len(parts)} fields"
                    )
                found[parts[0]] = parts[1]
        return found

    def public(self) -> dict[str, Any]:
        """The settings without secrets, for the start-up log line."""
        return {
            "data_dir": str(self.data_dir),
            "auth": "tokens file" if self.tokens_file else ("token" if self.token else "none"),
            "db": _redact(self.db_url()),
            "queue": _redact(self.queue_url()),
            "max_body_mb": self.max_body_mb,
            "retention_days": self.retention_days,
            "job_time_limit_s": self.job_time_limit_s,
            "sync_max_pairs": self.sync_max_pairs,
        }


def _redact(url: str) -> str:
    """A URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def check_token(tokens: dict[str, str], given: str) -> str | None:
    """The tenant of ``given``, compared in constant time against every token."""
    tenant = None
    for token, owner in tokens.items():
        if hmac.compare_digest(token.encode(), given.encode()):
            tenant = owner
    return tenant
