"""The job and programme store: one small interface implemented once on SQLAlchemy.

Jobs: submit, claim, heartbeat, progress, finish, cancel, delete, purge (and reap: a running job
whose worker stopped sending heartbeats becomes ``interrupted``).  Inputs and output files are
rows of ``blobs``, so every API and worker machine sees them through the database alone, and
deleting a job's rows deletes its data (SQLite runs with ``secure_delete``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    delete,
    event,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = ["ACTIVE", "FINISHED", "STATUSES", "JobView", "Store"]

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled", "interrupted")


class _Base(DeclarativeBase):
    pass


class _Job(_Base):
    __tablename__ = "matcher_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    phase: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    created: Mapped[float] = mapped_column(Float)
    started: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished: Mapped[float | None] = mapped_column(Float, nullable=True)
    heartbeat: Mapped[float | None] = mapped_column(Float, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    retry_of: Mapped[str | None] = mapped_column(String(32), nullable=True)


class _Blob(_Base):
    __tablename__ = "matcher_blobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # input | output
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class _Program(_Base):
    __tablename__ = "matcher_programs"

    tenant: Mapped[str] = mapped_column(String(200), primary_key=True)
    pid: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated: Mapped[float] = mapped_column(Float)


class _ProgramPair(_Base):
    __tablename__ = "matcher_program_pairs"

    tenant: Mapped[str] = mapped_column(String(200), primary_key=True)
    pid: Mapped[str] = mapped_column(String(200), primary_key=True)
    mentee_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    mentor_id: Mapped[str] = mapped_column(String(400), primary_key=True)


@dataclass(frozen=True)
class JobView:
    """A job as the API shows it (no profile content)."""

    id: str
    tenant: str
    kind: str
    status: str
    phase: str | None
    fraction: float
    created: float
    started: float | None
    finished: float | None
    heartbeat: float | None
    cancel_requested: bool
    options: dict[str, Any]
    error: dict[str, Any] | None
    summary: dict[str, Any] | None
    retry_of: str | None

    @property
    def done(self) -> bool:
        return self.status in FINISHED


def _view(row: _Job) -> JobView:
    return JobView(
        row.id,
        row.tenant,
        row.kind,
        row.status,
        row.phase,
        row.fraction,
        row.created,
        row.started,
        row.finished,
        row.heartbeat,
        row.cancel_requested,
        json.loads(row.options or "{}"),
        json.loads(row.error) if row.error else None,
        json.loads(row.summary) if row.summary else None,
        row.retry_of,
    )


def _job_owner(job_id: str) -> str:
    return f"job:{job_id}"


def _program_owner(tenant: str, pid: str) -> str:
    return f"program:{tenant}/{pid}"


class Store:
    """Jobs, their files and stored programmes in one SQLAlchemy database."""

    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.url = url
        self.engine: Engine = create_engine(url, pool_pre_ping=True, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        _Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._session.begin() as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # -- jobs ----------------------------------------------------------------------------

    def submit(
        self,
        tenant: str,
        kind: str,
        options: Mapping[str, Any],
        inputs: Mapping[str, bytes],
        *,
        retry_of: str | None = None,
    ) -> str:
        job_id = uuid.uuid4().hex
        with self.session() as s:
            s.add(
                _Job(
                    id=job_id,
                    tenant=tenant,
                    kind=kind,
                    status="queued",
                    phase="queued",
                    fraction=0.0,
                    created=time.time(),
                    cancel_requested=False,
                    options=json.dumps(dict(options)),
                    retry_of=retry_of,
                )
            )
            for name, data in inputs.items():
                s.add(_Blob(owner=_job_owner(job_id), kind="input", name=name, data=data))
        return job_id

    def get(self, job_id: str, tenant: str | None = None) -> JobView | None:
        with self.session() as s:
            row = s.get(_Job, job_id)
            if row is None or (tenant is not None and row.tenant != tenant):
                return None
            return _view(row)

    def jobs(self, tenant: str) -> list[JobView]:
        with self.session() as s:
            rows = s.scalars(select(_Job).where(_Job.tenant == tenant).order_by(_Job.created))
            return [_view(r) for r in rows]

    def queued_ids(self) -> list[str]:
        with self.session() as s:
            return list(
                s.scalars(select(_Job.id).where(_Job.status == "queued").order_by(_Job.created))
            )

    def claim(self, job_id: str, worker: str) -> bool:
        """queued -> running, atomically: True for the one worker that got it."""
        now = time.time()
        with self.session() as s:
            got = s.execute(
                update(_Job)
                .where(_Job.id == job_id, _Job.status == "queued")
                .values(
                    status="running",
                    started=now,
                    heartbeat=now,
                    worker=worker,
                    phase="starting",
                    fraction=0.0,
                )
            )
            return bool(got.rowcount)  # type: ignore[attr-defined]

    def heartbeat(self, job_id: str) -> None:
        with self.session() as s:
            s.execute(
                update(_Job)
                .where(_Job.id == job_id, _Job.status == "running")
                .values(heartbeat=time.time())
            )

    def progress(self, job_id: str, phase: str, fraction: float) -> None:
        with self.session() as s:
            s.execute(
                update(_Job)
                .where(_Job.id == job_id, _Job.status == "running")
                .values(phase=phase, fraction=min(max(fraction, 0.0), 1.0), heartbeat=time.time())
            )

    def finish(
        self,
        job_id: str,
        status: str,
        *,
        error: Mapping[str, Any] | None = None,
        summary: Mapping[str, Any] | None = None,
        outputs: Mapping[str, bytes] | None = None,
        only_from: tuple[str, ...] = ACTIVE,
    ) -> bool:
        """Record the end of a job (only if it is still in ``only_from``); True if it was."""
        with self.session() as s:
            got = s.execute(
                update(_Job)
                .where(_Job.id == job_id, _Job.status.in_(only_from))
                .values(
                    status=status,
                    finished=time.time(),
                    phase=status,
                    fraction=1.0 if status == "succeeded" else _Job.fraction,
                    error=json.dumps(dict(error)) if error else None,
                    summary=json.dumps(dict(summary)) if summary else None,
                )
            )
            if not got.rowcount:  # type: ignore[attr-defined]
                return False
            for name, data in (outputs or {}).items():
                s.add(_Blob(owner=_job_owner(job_id), kind="output", name=name, data=data))
            return True

    def request_cancel(self, job_id: str) -> str | None:
        """Cancel a queued or running job now; the worker of a running one sees the flag and
        kills its run (within a poll interval, 0.1 s), which can then record nothing more."""
        with self.session() as s:
            row = s.get(_Job, job_id, with_for_update=True)
            if row is None:
                return None
            if row.status in ACTIVE:
                row.error = json.dumps(
                    {
                        "message": "cancelled before it started"
                        if row.status == "queued"
                        else "cancelled while running"
                    }
                )
                row.cancel_requested = True
                row.status = "cancelled"
                row.phase = "cancelled"
                row.finished = time.time()
            return row.status

    def cancel_requested(self, job_id: str) -> bool:
        """True when the job was asked to stop, or deleted meanwhile."""
        with self.session() as s:
            flag = s.scalar(select(_Job.cancel_requested).where(_Job.id == job_id))
            return flag is None or bool(flag)

    def delete(self, job_id: str) -> None:
        with self.session() as s:
            s.execute(delete(_Blob).where(_Blob.owner == _job_owner(job_id)))
            s.execute(delete(_Job).where(_Job.id == job_id))

    def purge(self, older_than_s: float) -> int:
        """Delete every finished job created more than ``older_than_s`` ago; their count."""
        cutoff = time.time() - older_than_s
        with self.session() as s:
            ids = list(
                s.scalars(select(_Job.id).where(_Job.created < cutoff, _Job.status.in_(FINISHED)))
            )
            stale_active = list(
                s.scalars(select(_Job.id).where(_Job.created < cutoff, _Job.status == "queued"))
            )
        for job_id in ids + stale_active:
            self.delete(job_id)
        return len(ids) + len(stale_active)

    def reap(self, timeout_s: float) -> list[str]:
        """Mark ``interrupted`` every running job whose heartbeat is older than ``timeout_s``."""
        now = time.time()
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(_Job).where(_Job.status == "running", _Job.heartbeat < now - timeout_s)
                )
            )
            ids = []
            for row in rows:
                ago = now - (row.heartbeat or now)
                row.status = "interrupted"
                row.phase = "interrupted"
                row.finished = now
                row.error = json.dumps(
                    {
                        "message": f"the worker running this job stopped sending heartbeats "
                        f"{ago:.0f} s ago (it was killed, crashed or its machine stopped); "
                        "retry the job to run it again",
                        "worker": row.worker,
                    }
                )
                ids.append(row.id)
            return ids

    def interrupt_worker(self, prefix: str, message: str) -> list[str]:
        """Mark ``interrupted`` the running jobs of the worker process named ``prefix``."""
        now = time.time()
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(_Job).where(_Job.status == "running", _Job.worker.startswith(prefix))
                )
            )
            for row in rows:
                row.status = "interrupted"
                row.phase = "interrupted"
                row.finished = now
                row.error = json.dumps({"message": message, "worker": row.worker})
            return [r.id for r in rows]

    # -- files ---------------------------------------------------------------------------

    def files(self, owner: str, kind: str) -> dict[str, bytes]:
        with self.session() as s:
            rows = s.scalars(select(_Blob).where(_Blob.owner == owner, _Blob.kind == kind))
            return {r.name: r.data for r in rows}

    def job_inputs(self, job_id: str) -> dict[str, bytes]:
        return self.files(_job_owner(job_id), "input")

    def job_file(self, job_id: str, name: str) -> bytes | None:
        with self.session() as s:
            return s.scalar(
                select(_Blob.data).where(
                    _Blob.owner == _job_owner(job_id), _Blob.kind == "output", _Blob.name == name
                )
            )

    def job_file_names(self, job_id: str) -> list[str]:
        with self.session() as s:
            return sorted(
                s.scalars(
                    select(_Blob.name).where(
                        _Blob.owner == _job_owner(job_id), _Blob.kind == "output"
                    )
                )
            )

    # -- programmes ----------------------------------------------------------------------

    def put_program(
        self,
        tenant: str,
        pid: str,
        inputs: Mapping[str, bytes],
        pairs: list[tuple[str, str]],
    ) -> int:
        owner = _program_owner(tenant, pid)
        with self.session() as s:
            row = s.get(_Program, (tenant, pid), with_for_update=True)
            if row is None:
                row = _Program(tenant=tenant, pid=pid, version=1, updated=time.time())
                s.add(row)
            else:
                row.version += 1
                row.updated = time.time()
            s.execute(delete(_Blob).where(_Blob.owner == owner))
            s.execute(
                delete(_ProgramPair).where(_ProgramPair.tenant == tenant, _ProgramPair.pid == pid)
            )
            for name, data in inputs.items():
                s.add(_Blob(owner=owner, kind="input", name=name, data=data))
            for mentee_id, mentor_id in list(dict.fromkeys(pairs)):
                s.add(
                    _ProgramPair(tenant=tenant, pid=pid, mentee_id=mentee_id, mentor_id=mentor_id)
                )
            return row.version

    def program_version(self, tenant: str, pid: str) -> int | None:
        with self.session() as s:
            return s.scalar(
                select(_Program.version).where(_Program.tenant == tenant, _Program.pid == pid)
            )

    def program_inputs(self, tenant: str, pid: str) -> dict[str, bytes]:
        return self.files(_program_owner(tenant, pid), "input")

    def program_pairs(self, tenant: str, pid: str) -> list[tuple[str, str]]:
        with self.session() as s:
            rows = s.execute(
                select(_ProgramPair.mentee_id, _ProgramPair.mentor_id)
                .where(_ProgramPair.tenant == tenant, _ProgramPair.pid == pid)
                .order_by(_ProgramPair.mentee_id, _ProgramPair.mentor_id)
            )
            return [(a, b) for a, b in rows]

    def add_program_pair(self, tenant: str, pid: str, mentee_id: str, mentor_id: str) -> bool:
        with self.session() as s:
            if s.get(_ProgramPair, (tenant, pid, mentee_id, mentor_id)) is not None:
                return False
            s.add(_ProgramPair(tenant=tenant, pid=pid, mentee_id=mentee_id, mentor_id=mentor_id))
            s.execute(_touch(tenant, pid))
            return True

    def remove_program_pair(self, tenant: str, pid: str, mentee_id: str, mentor_id: str) -> bool:
        with self.session() as s:
            got = s.execute(
                delete(_ProgramPair).where(
                    _ProgramPair.tenant == tenant,
                    _ProgramPair.pid == pid,
                    _ProgramPair.mentee_id == mentee_id,
                    _ProgramPair.mentor_id == mentor_id,
                )
            )
            s.execute(_touch(tenant, pid))
            return bool(got.rowcount)  # type: ignore[attr-defined]

    def touch_program(self, tenant: str, pid: str) -> None:
        """Record a use of the programme (a suggestion): retention counts from its last use."""
        with self.session() as s:
            s.execute(_touch(tenant, pid))

    def purge_programs(self, older_than_s: float) -> list[tuple[str, str]]:
        """Delete every programme last used more than ``older_than_s`` ago; their keys."""
        cutoff = time.time() - older_than_s
        with self.session() as s:
            keys = [
                (t, p)
                for t, p in s.execute(
                    select(_Program.tenant, _Program.pid).where(_Program.updated < cutoff)
                )
            ]
        for tenant, pid in keys:
            self.delete_program(tenant, pid)
        return keys

    def delete_program(self, tenant: str, pid: str) -> bool:
        with self.session() as s:
            s.execute(delete(_Blob).where(_Blob.owner == _program_owner(tenant, pid)))
            s.execute(
                delete(_ProgramPair).where(_ProgramPair.tenant == tenant, _ProgramPair.pid == pid)
            )
            got = s.execute(delete(_Program).where(_Program.tenant == tenant, _Program.pid == pid))
            return bool(got.rowcount)  # type: ignore[attr-defined]


def _touch(tenant: str, pid: str) -> Any:
    return (
        update(_Program)
        .where(_Program.tenant == tenant, _Program.pid == pid)
        .values(updated=time.time())
    )


def _sqlite_pragmas(conn: Any, _record: Any) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA secure_delete=ON")  # deleted profiles are overwritten, not left in pages
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
