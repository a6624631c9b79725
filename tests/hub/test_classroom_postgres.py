"""The class view's storage on PostgreSQL (the URL a hub with many nodes gives): migrations, attempts
stored once, the same summaries as on SQLite.  Starts a throwaway server with initdb/pg_ctl; skipped
with the reason when PostgreSQL or psycopg is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytestmark = pytest.mark.subprocess


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` account then."""
    if os.getuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    if os.getuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode:
        pytest.skip("running as root and there is no postgres account to run PostgreSQL")
    from .classroom_hub import free_ports

    # not under pytest's temporary folder: the postgres account cannot enter root's private folders
    base = Path(tempfile.mkdtemp(prefix="meia-class-pg-"))
    data = base / "data"
    if os.getuid() == 0:
        shutil.chown(base, "postgres")
    port = free_ports(1)[0]
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-U", "meia", "--auth=trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-w",
                "-o",
                f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            _as_postgres(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "meia", "meiaclass"]),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://meia@127.0.0.1:{port}/meiaclass"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _attempt(status="wrong", mistake="mistake.0"):
    return {
        "key": uuid.uuid4().hex,
        "exercise": "04.output_size",
        "variant": 0,
        "status": status,
        "mistake": mistake,
        "time": time.time(),
    }


def test_postgresql_stores_each_attempt_once_and_summarises_as_sqlite_does(postgres_url, tmp_path):
    from meia_cnn.classroom.service import storage as st

    engine = st.connect(postgres_url)
    assert st.migrate(engine, target=1) == [1]
    engine.dispose()
    pg = st.Storage(postgres_url)  # opening migrates to the current version
    lite = st.Storage(f"sqlite:///{tmp_path / 'same.sqlite'}")
    try:
        assert st.schema_version(pg.engine) == st.SCHEMA_VERSION
        batches = {"ana": [_attempt(), _attempt(status="correct", mistake="")], "beto": [_attempt(mistake="other")]}
        for db in (pg, lite):
            for user, batch in batches.items():
                assert db.record(user, batch) == len(batch)
                assert db.record(user, batch) == 0  # sent again: skipped
        assert pg.count() == lite.count() == 3
        assert _counts(pg.summaries()) == _counts(lite.summaries())
        assert _counts(pg.summaries())["04.output_size"] == (2, 1, 3, {"mistake.0": 1, "other": 1})
    finally:
        pg.close()
        lite.close()


def _counts(summaries: dict) -> dict:
    """The summaries without their times (received at different moments in the two databases)."""
    return {k: (v.tried, v.solved, v.attempts, v.mistakes) for k, v in summaries.items()}
