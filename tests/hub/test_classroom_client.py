"""The kernel's side of the class view: off the hub nothing happens; on it, attempts are queued, kept on
disk while the service is away, sent once, and a check never waits for the network."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from meia_cnn import exercises
from meia_cnn.classroom import client


class FakeService:
    """A stand-in for the service's POST api/attempts: stores by key, can refuse or lose answers."""

    def __init__(self, port: int = 0) -> None:
        self.stored: dict[str, dict] = {}
        self.requests = 0
        self.mode = "ok"  # "ok", "down" (500), "lose" (store, then answer 500), "slow" (3 s)
        self.tokens: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                service.requests += 1
                service.tokens.append(self.headers.get("Authorization", ""))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if service.mode == "slow":
                    time.sleep(3)
                if service.mode == "down":
                    self.send_response(503)
                    self.end_headers()
                    return
                for a in body["attempts"]:
                    service.stored.setdefault(a["key"], a)
                self.send_response(500 if service.mode == "lose" else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/meia-class/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _reset() -> None:
    if client._recorder is not None:
        client._recorder.stop()
    client._recorder = None
    client.opt_in()


@pytest.fixture
def hub_env(monkeypatch, tmp_path):
    service = FakeService()
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "secret-token")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ana/")
    monkeypatch.setenv("MEIA_CLASS_URL", service.url)
    monkeypatch.setenv("MEIA_CLASS_DIR", str(tmp_path / "spool"))
    monkeypatch.delenv("MEIA_CLASS_OPT_OUT", raising=False)
    monkeypatch.setattr(client, "BACKOFF", (0.05, 0.2))
    _reset()
    yield service
    _reset()
    service.close()


def _pending(path) -> list[dict]:
    return [json.loads(line) for p in path.glob("*.jsonl") for line in p.read_text().splitlines()]


def test_off_the_hub_nothing_is_recorded_written_or_started(monkeypatch, tmp_path):
    for name in ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX", "MEIA_CLASS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEIA_CLASS_DIR", str(tmp_path / "spool"))
    _reset()
    threads = threading.active_count()
    assert exercises.check("04.output_size", 13).status == "wrong"
    assert not client.enabled() and client._recorder is None
    assert not client.record("04.output_size", 0, "wrong")
    assert not (tmp_path / "spool").exists()
    assert threading.active_count() == threads
    # a hub server without the service configured: still nothing
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ana/")
    assert not client.enabled()


def test_check_records_the_verdict_and_the_mistake_not_the_answer(hub_env):
    exercises.check("04.output_size", 13)  # stride 1 instead of 2: the first known mistake
    exercises.check("04.output_size", 7, variant=0)
    exercises.check("04.output_size", "seven")
    exercises.check("04.output_size", ...)  # waiting: not an attempt
    assert client.flush(10)
    got = sorted(hub_env.stored.values(), key=lambda a: a["time"])
    assert [(a["exercise"], a["status"], a["mistake"]) for a in got] == [
        ("04.output_size", "wrong", "mistake.0"),
        ("04.output_size", "correct", ""),
        ("04.output_size", "invalid", "unreadable"),
    ]
    assert set(got[0]) == {"key", "exercise", "variant", "status", "mistake", "time"}
    # the answer is nowhere (the key is a random hex string and the time a clock reading: either may hold "13")
    assert "13" not in json.dumps({name: value for name, value in got[0].items() if name not in ("key", "time")})
    assert all(len(a["key"]) == 32 for a in got)
    assert set(hub_env.tokens) == {"token secret-token"}
    assert len({a["key"] for a in got}) == 3


def test_the_table_and_the_answer_boxes_record_through_the_widgets(hub_env):
    pytest.importorskip("ipywidgets")
    from meia_cnn.widgets import ExerciseWidget, ShapeTableExercise

    table = ShapeTableExercise(answer={"valid/1": (26, 26, 8), "same/1": (28, 28, 8), "valid/2": (14, 14, 8)})
    table.check()
    box = ExerciseWidget("05.pool_params")
    box.controls["answer"].value = "0"
    assert client.flush(10)
    got = {a["exercise"]: a for a in hub_env.stored.values()}
    assert got["04.shape_table"]["status"] == "wrong" and got["04.shape_table"]["mistake"] == "table.valid/2"
    assert got["05.pool_params"]["status"] == "correct"
    table.close()
    box.close()


def test_attempts_wait_on_disk_while_the_service_is_away_and_are_sent_once(hub_env, tmp_path):
    hub_env.mode = "down"
    for answer in (13, 12, 7):
        exercises.check("04.output_size", answer)
    deadline = time.monotonic() + 5
    while len(_pending(tmp_path / "spool")) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_pending(tmp_path / "spool")) == 3 and not hub_env.stored
    hub_env.mode = "lose"  # stored, but the answer is lost: the kernel sends again
    time.sleep(0.5)
    hub_env.mode = "ok"
    assert client.flush(10)
    assert len(hub_env.stored) == 3
    assert _pending(tmp_path / "spool") == []


def test_a_check_never_waits_for_a_slow_or_absent_service(hub_env):
    hub_env.mode = "slow"
    times = []
    for i in range(50):
        start = time.perf_counter()
        exercises.check("04.output_size", 10 + i % 5)
        times.append(time.perf_counter() - start)
    assert max(times) < 0.05, max(times)


def test_the_queue_is_bounded(hub_env, monkeypatch):
    monkeypatch.setattr(client, "QUEUE_SIZE", 5)
    hub_env.mode = "slow"
    results = [client.record("04.output_size", 0, "wrong") for _ in range(200)]
    assert results.count(False) > 0
    assert client._recorder.dropped == results.count(False)


def test_opting_out_by_call_and_by_environment(hub_env, monkeypatch, tmp_path):
    client.opt_out()
    exercises.check("04.output_size", 13)
    assert not client.enabled()
    client._opted_out = False  # another notebook's kernel: the choice is read from the student's folder
    assert (tmp_path / "spool" / client.OPTED_OUT).exists() and not client.enabled()
    client.opt_in()
    assert client.enabled()
    monkeypatch.setenv("MEIA_CLASS_OPT_OUT", "1")
    exercises.check("04.output_size", 13)
    assert not client.enabled()
    monkeypatch.delenv("MEIA_CLASS_OPT_OUT")
    assert client.flush(2)
    assert hub_env.stored == {}


def test_a_new_kernel_sends_what_an_ended_kernel_left(hub_env, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    left = [
        {
            "key": f"left{i:04d}aaaa",
            "exercise": "05.pool_params",
            "variant": 0,
            "status": "wrong",
            "mistake": "other",
            "time": time.time(),
        }
        for i in range(3)
    ]
    dead = 2**22 + 12345  # above the usual pid range: no such process
    (spool / f"pending-{dead}-abcd1234.jsonl").write_text(
        "".join(json.dumps(a) + "\n" for a in left) + '{"key": "cut by a cra'
    )
    exercises.check("05.pool_params", 0)
    assert client.flush(10)
    assert {a["key"] for a in left} <= set(hub_env.stored)
    assert len(hub_env.stored) == 4
    assert not list(spool.glob("*.jsonl"))


def test_the_environment_names_are_the_ones_the_hub_configuration_sets():
    from meia_cnn.classroom.hubconfig import hub_config

    cfg = hub_config(port=10101)
    assert client.ENV_URL in cfg["spawner_environment"]
    assert os.path.basename(client.__file__) == "client.py"


def test_the_hub_configuration_is_added_to_what_a_config_already_holds():
    from traitlets.config import Config

    from meia_cnn.classroom.hubconfig import INSTRUCTOR_SCOPE, apply

    c = Config()
    c.JupyterHub.services = [{"name": "idle-culler", "command": ["cull"]}]
    c.JupyterHub.load_roles = [{"name": "user", "scopes": ["self", "read:hub"]}]
    c.Spawner.environment = {"MEIA_CNN_LANG": "es"}
    apply(c, port=10123, db="sqlite:////srv/class.sqlite", instructors_group="docentes")
    apply(c, port=10124, instructors_group="docentes")  # applied again: replaced, never duplicated
    assert [s["name"] for s in c.JupyterHub.services] == ["idle-culler", "meia-class"]
    service = c.JupyterHub.services[1]
    assert service["url"] == "http://127.0.0.1:10124" and service["command"][1:] == ["-m", "meia_cnn.classroom.service"]
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert set(roles["user"]["scopes"]) == {"self", "read:hub", "access:services!service=meia-class"}
    assert roles["meia-class-instructors"]["groups"] == ["docentes"]
    assert INSTRUCTOR_SCOPE in roles["meia-class-instructors"]["scopes"]
    assert INSTRUCTOR_SCOPE in c.JupyterHub.custom_scopes
    assert c.Spawner.environment == {
        "MEIA_CNN_LANG": "es",
        client.ENV_URL: "http://127.0.0.1:10124/services/meia-class/",
    }
    assert "access:services!service=meia-class" in c.Spawner.server_token_scopes
    assert "access:servers!server" in c.Spawner.server_token_scopes
