"""The class view's storage on PostgreSQL (the URL a hub with many nodes gives): migrations, attempts
stored once, the same summaries as on SQLite; and a class on a real hub that goes on while the database
and the service are stopped and started again.  Starts a throwaway server with initdb/pg_ctl (from the
PATH or Debian's /usr/lib/postgresql/N/bin); skipped with the reason when PostgreSQL or psycopg is not
installed."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .classroom_hub import new_attempt

pytest.importorskip("sqlalchemy")
pytestmark = pytest.mark.subprocess


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` account then."""
    if os.getuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs: where ``initdb`` on the PATH lives, else the newest
    of Debian's /usr/lib/postgresql/N/bin (the package installs them off the PATH)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    folders = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    folders = [f for f in folders if (f / "pg_ctl").exists() and re.fullmatch(r"[0-9]+", f.parent.name)]
    return max(folders, key=lambda f: int(f.parent.name), default=None)


class Postgres:
    """A throwaway PostgreSQL server on 127.0.0.1 that a test can stop and start again."""

    def __init__(self, bindir: Path, port: int) -> None:
        self.bin, self.port = bindir, port
        # not under pytest's temporary folder: the postgres account cannot enter root's private folders
        self.base = Path(tempfile.mkdtemp(prefix="meia-class-pg-"))
        if os.getuid() == 0:
            shutil.chown(self.base, "postgres")
        self.data = self.base / "data"

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True, capture_output=True)

    def create(self) -> Postgres:
        self._run("initdb", "-D", str(self.data), "-U", "meia", "--auth=trust", "-E", "UTF8")
        self.start()
        return self

    def database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "meia", name)
        return f"postgresql+psycopg://meia@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1",
            "start",
        )

    def stop(self) -> None:
        """Stop at once as an administrator does (``-m fast``: open sessions are cut)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql)")
    if os.getuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode:
        pytest.skip("running as root and there is no postgres account to run PostgreSQL")
    from .classroom_hub import free_ports

    server = Postgres(bindir, free_ports(1)[0])
    try:
        yield server.create()
    finally:
        server.remove()


def test_postgresql_stores_each_attempt_once_and_summarises_as_sqlite_does(postgres, tmp_path):
    from meia_cnn.classroom.service import storage as st

    url = postgres.database("summaries")
    engine = st.connect(url)
    assert st.migrate(engine, target=1) == [1]
    engine.dispose()
    pg = st.Storage(url)  # opening migrates to the current version
    lite = st.Storage(f"sqlite:///{tmp_path / 'same.sqlite'}")
    try:
        assert st.schema_version(pg.engine) == st.SCHEMA_VERSION
        batches = {
            "ana": [new_attempt(), new_attempt(status="correct", mistake="")],
            "beto": [new_attempt(mistake="other")],
        }
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


# -- a class on a hub whose database and service go away in the middle -----------------------------
#: A student answering in a loop until the file ``stop`` appears: when each check() started and how long
#: it took; then it waits for the attempts to be sent.
STUDENT = """
import json, os, time
from meia_cnn.exercises import check
from meia_cnn.classroom import client
log = []
deadline = time.time() + {limit}
while not os.path.exists({stop!r}) and time.time() < deadline:
    started, t = time.time(), time.perf_counter()
    check("04.output_size", (13, 7, 12, 6)[len(log) % 4])
    log.append((started, time.perf_counter() - t))
    time.sleep({pause})
flushed = client.flush({flush})
recorder = client._recorder
print(json.dumps({{"enabled": client.enabled(), "flushed": flushed, "log": log,
                   "dropped": recorder.dropped if recorder else None}}))
"""
STUDENTS = ["ana", "beto", "carla"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s")
        time.sleep(0.25)


def test_a_class_on_postgresql_goes_on_while_the_database_and_the_service_stop(postgres, tmp_path):
    from .classroom_hub import ACCESS, INSTRUCTOR, Kernel, request, running_hub

    tokens = {"teacher": [ACCESS, INSTRUCTOR]}
    with running_hub(tmp_path / "hub", [*STUDENTS, "teacher"], tokens, db=postgres.database("faults")) as hub:
        for user in STUDENTS:
            hub.start_server(user)
        stop = tmp_path / "stop"
        results: dict[str, object] = {}

        def student(user: str) -> None:
            kernel = Kernel(hub, user)
            try:
                code = STUDENT.format(limit=240, stop=str(stop), pause=0.25, flush=120)
                results[user] = json.loads(kernel.run(code, timeout=420).strip())
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                results[user] = exc
            finally:
                kernel.close()

        threads = [threading.Thread(target=student, args=(user,)) for user in STUDENTS]
        for thread in threads:
            thread.start()
        outages: dict[str, tuple[float, float]] = {}
        try:
            time.sleep(8)  # the usual time of check(), every service up
            begin = time.time()
            postgres.stop()
            time.sleep(8)
            postgres.start()
            outages["database stopped"] = (begin, time.time())
            time.sleep(6)
            begin = time.time()
            os.kill(hub.service_pid(), signal.SIGKILL)
            _wait(lambda: not hub.service_up(), 10, "the service did not go")
            _wait(hub.service_up, 90, "the hub did not start the service again")
            outages["service stopped"] = (begin, time.time())
            time.sleep(6)
            begin = time.time()  # both, and the hub starts the service again while its database is away
            postgres.stop()
            killed = hub.service_pid()
            os.kill(killed, signal.SIGKILL)
            _wait(lambda: hub.service_pid() not in (None, killed), 90, "the hub did not start the service again")
            time.sleep(4)
            postgres.start()
            _wait(hub.service_up, 90, "the service did not come back with its database")
            outages["database and service stopped"] = (begin, time.time())
            time.sleep(6)
        finally:
            stop.write_text("end of the class")
            for thread in threads:
                thread.join(600)
        status, text = request("GET", hub.service_url + "export.csv", None, hub.tokens["teacher"], timeout=60)
        assert status == 200, text
        rows = list(csv.DictReader(io.StringIO(text)))
        log = (hub.dir / "hub.log").read_text(errors="replace")
    # the outages were real: attempts were refused while the database was away, and the service started
    # again by the hub waited for its database
    assert "503 POST /services/meia-class/api/attempts" in log
    assert "the database does not answer" in log and "trying again in" in log

    errors = {user: r for user, r in results.items() if isinstance(r, BaseException)}
    assert not errors, errors
    before, during, sent = [], [], 0
    first = min(start for start, _end in outages.values())
    for user in STUDENTS:
        result = results[user]
        assert result["enabled"] and result["flushed"] and result["dropped"] == 0, result
        stored = [row["key"] for row in rows if row["user"] == user]
        assert len(stored) == len(result["log"]), (user, len(stored), len(result["log"]))  # none lost
        assert len(set(stored)) == len(stored)  # none twice
        sent += len(result["log"])
        for started, seconds in result["log"]:
            if started < first:
                before.append(seconds)
            elif any(a <= started <= b for a, b in outages.values()):
                during.append(seconds)
    assert len(rows) == sent
    ms = {
        name: (1e3 * _percentile(v, 0.5), 1e3 * _percentile(v, 0.95), 1e3 * max(v))
        for name, v in (("before", before), ("during the outages", during))
    }
    print(
        f"\nattempts sent {sent}, stored {len(rows)}, distinct keys {len({r['key'] for r in rows})}; outages (s): "
        + ", ".join(f"{name} {b - a:.1f}" for name, (a, b) in outages.items())
    )
    for name, (p50, p95, most) in ms.items():
        print(
            f"check() {name}: {len(before if name == 'before' else during)} calls, "
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {most:.2f} ms"
        )
    # the student's check never waits on the network: as fast during the outages as before (p95), and
    # never long enough to notice (the slowest call also takes the machine's hiccups: PostgreSQL and
    # the service starting on two cores)
    assert ms["during the outages"][1] < max(5 * ms["before"][1], 5.0), ms
    assert ms["during the outages"][2] < 250, ms
