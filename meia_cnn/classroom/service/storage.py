"""Where the class view keeps attempts: one SQLAlchemy layer over SQLite (default) or PostgreSQL.

SQLite is one file in WAL mode (readers never wait for the writer); a hub
with many nodes gives a PostgreSQL URL instead (``MEIA_CLASS_DB``,
``postgresql+psycopg://...``).  The schema carries its version in the table
``meia_class_schema``; :func:`migrate` brings any older database to
:data:`SCHEMA_VERSION` one step at a time, each step in its own transaction,
and refuses a database newer than the code.  A new step is one more function
in :data:`MIGRATIONS`.

Attempts are stored once: ``(user, key)`` is unique and an attempt sent again
(a retry after a lost answer) is skipped, not duplicated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "Storage", "Summary", "connect", "migrate", "schema_version"]

metadata = sa.MetaData()

schema_table = sa.Table(
    "meia_class_schema",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

attempts_table = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(255), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("exercise", sa.String(64), nullable=False),
    sa.Column("variant", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("mistake", sa.String(64), nullable=False, server_default=""),
    sa.Column("client_time", sa.Float, nullable=False),
    sa.Column("received", sa.Float, nullable=False),
    sa.UniqueConstraint("user", "key", name="uq_attempts_user_key"),
)


def _v1(conn: Connection) -> None:
    """The first schema: the version table and the attempts, one per (user, key)."""
    schema_table.create(conn, checkfirst=True)
    attempts_table.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    """Indexes for the class view's queries: by exercise, and by time for the live view."""
    # plain DDL: an sa.Index would attach itself to the table and be created by step 1 too
    conn.execute(sa.text('CREATE INDEX IF NOT EXISTS ix_attempts_exercise_user ON attempts (exercise, "user")'))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_attempts_received ON attempts (received)"))


#: ``MIGRATIONS[n]`` brings a database from version ``n`` to ``n + 1``.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2]
#: The version this code reads and writes.
SCHEMA_VERSION = len(MIGRATIONS)


def connect(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys.

    Parameters
    ----------
    url : str
        ``sqlite:///path/to/file.sqlite`` or ``postgresql+psycopg://user@host/db``.

    Returns
    -------
    sqlalchemy.engine.Engine
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def schema_version(engine: Engine) -> int:
    """The database's schema version (0 for an empty database)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(schema_table.name):
            return 0
        value = conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar()
        return int(value or 0)


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> list[int]:
    """Bring the database to ``target``, one step per transaction; the versions applied.

    Parameters
    ----------
    engine : Engine
        From :func:`connect`.
    target : int
        The version wanted (tests stop at older ones).

    Returns
    -------
    list of int
        The versions reached, in order (empty when already there).

    Raises
    ------
    RuntimeError
        When the database is newer than this code.
    """
    current = schema_version(engine)
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database has schema version {current}, newer than this code's {SCHEMA_VERSION}: upgrade meia-cnn"
        )
    applied = []
    for version in range(current, target):
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            conn.execute(schema_table.delete())
            conn.execute(schema_table.insert().values(version=version + 1))
        applied.append(version + 1)
    return applied


@dataclass(frozen=True)
class Summary:
    """What the class view shows for one exercise.

    Parameters
    ----------
    exercise : str
    tried : int
        Students with at least one attempt.
    solved : int
        Students with at least one correct attempt.
    attempts : int
    mistakes : dict
        Mistake key -> students whose attempts matched it.
    last : float
        Time of the latest attempt (seconds since the epoch).
    """

    exercise: str
    tried: int
    solved: int
    attempts: int
    mistakes: dict[str, int]
    last: float


class Storage:
    """Record and read attempts.

    Parameters
    ----------
    url : str
        A database URL (see :func:`connect`); the schema is migrated on opening.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = connect(url)
        migrate(self.engine)
        self._insert = self._insert_ignoring_duplicates()

    def _insert_ignoring_duplicates(self) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            from sqlalchemy.dialects import sqlite as dialect_module
        elif dialect == "postgresql":
            from sqlalchemy.dialects import postgresql as dialect_module  # type: ignore[no-redef]
        else:  # pragma: no cover - the two supported databases
            raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
        # RETURNING counts the rows really inserted: executemany's rowcount is not reliable (psycopg: 0)
        return (
            dialect_module.insert(attempts_table)
            .on_conflict_do_nothing(index_elements=["user", "key"])
            .returning(attempts_table.c.id)
        )

    def record(self, user: str, attempts: Iterable[dict], *, received: float | None = None) -> int:
        """Store ``user``'s attempts; those already stored (same key) are skipped.

        Parameters
        ----------
        user : str
            The hub's name for the owner of the token.
        attempts : iterable of dict
            Checked dicts with ``key``, ``exercise``, ``variant``, ``status``, ``mistake``, ``time``.
        received : float, optional
            Arrival time (default now).

        Returns
        -------
        int
            How many were new.
        """
        now = time.time() if received is None else received
        rows = [
            {
                "user": user,
                "key": a["key"],
                "exercise": a["exercise"],
                "variant": a["variant"],
                "status": a["status"],
                "mistake": a["mistake"],
                "client_time": a["time"],
                "received": now,
            }
            for a in attempts
        ]
        if not rows:
            return 0
        with self.engine.begin() as conn:
            return len(conn.execute(self._insert, rows).all())

    def count(self) -> int:
        """How many attempts are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(attempts_table)).scalar() or 0)

    def of_user(self, user: str, limit: int = 1000) -> list[dict]:
        """``user``'s own attempts, newest first."""
        a = attempts_table.c
        query = (
            sa.select(a.key, a.exercise, a.variant, a.status, a.mistake, a.client_time, a.received)
            .where(a.user == user)
            .order_by(a.received.desc(), a.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def summaries(self) -> dict[str, Summary]:
        """Per exercise: students who tried and solved, attempts, and students per mistake."""
        a = attempts_table.c
        counts = sa.select(
            a.exercise, sa.func.count(sa.distinct(a.user)), sa.func.count(), sa.func.max(a.received)
        ).group_by(a.exercise)
        solved = (
            sa.select(a.exercise, sa.func.count(sa.distinct(a.user))).where(a.status == "correct").group_by(a.exercise)
        )
        mistakes = (
            sa.select(a.exercise, a.mistake, sa.func.count(sa.distinct(a.user)))
            .where(a.status != "correct")
            .group_by(a.exercise, a.mistake)
        )
        with self.engine.connect() as conn:
            solved_by = {row[0]: int(row[1]) for row in conn.execute(solved)}
            mistakes_by: dict[str, dict[str, int]] = {}
            for exercise, mistake, n in conn.execute(mistakes):
                mistakes_by.setdefault(exercise, {})[mistake or ""] = int(n)
            return {
                row[0]: Summary(
                    row[0],
                    int(row[1]),
                    solved_by.get(row[0], 0),
                    int(row[2]),
                    mistakes_by.get(row[0], {}),
                    float(row[3] or 0.0),
                )
                for row in conn.execute(counts)
            }

    def students(self, exercise: str | None = None) -> list[dict]:
        """Per student (and exercise): attempts, solved or not, the latest mistake; for the detail view."""
        a = attempts_table.c
        query = sa.select(a.user, a.exercise, a.status, a.mistake, a.received).order_by(a.user, a.received, a.id)
        if exercise is not None:
            query = query.where(a.exercise == exercise)
        table: dict[tuple[str, str], dict] = {}
        with self.engine.connect() as conn:
            for user, ex, status, mistake, received in conn.execute(query):
                row = table.setdefault(
                    (user, ex),
                    {"user": user, "exercise": ex, "attempts": 0, "solved": False, "last_mistake": "", "last": 0.0},
                )
                row["attempts"] += 1
                row["solved"] = row["solved"] or status == "correct"
                row["last_mistake"] = "" if status == "correct" else (mistake or "")
                row["last"] = float(received)
        return list(table.values())

    def all_attempts(self) -> Iterable[dict]:
        """Every attempt, oldest first (the CSV export), streamed."""
        a = attempts_table.c
        query = sa.select(
            a.user, a.exercise, a.variant, a.status, a.mistake, a.client_time, a.received, a.key
        ).order_by(a.received, a.id)
        with self.engine.connect() as conn:
            for row in conn.execution_options(stream_results=True).execute(query):
                yield dict(row._mapping)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
