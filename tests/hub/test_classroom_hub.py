"""The class view service on a real JupyterHub (127.0.0.1): who may read and write what, refused bodies,
and a class that goes on while the service is stopped and restarted."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import threading
import time

import pytest

from .classroom_hub import ACCESS, INSTRUCTOR, Kernel, new_attempt, request, running_hub

pytestmark = pytest.mark.subprocess

STUDENTS = ["ana", "beto"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tokens = {name: [ACCESS] for name in STUDENTS}
    tokens.update({"teacher": [ACCESS, INSTRUCTOR], "carla/no-access": ["read:users:name!user"]})
    with running_hub(tmp_path_factory.mktemp("classhub"), [*STUDENTS, "teacher", "carla"], tokens) as h:
        yield h


def _post(hub, token, body, **kw):
    return request("POST", hub.service_url + "api/attempts", body, token, **kw)


def test_a_student_writes_as_the_owner_of_the_token_only(hub):
    mine = new_attempt()
    assert _post(hub, hub.tokens["ana"], {"attempts": [mine]}) == (200, {"stored": 1, "duplicates": 0})
    # a name in the body is refused, not believed
    status, reply = _post(hub, hub.tokens["ana"], {"attempts": [{**new_attempt(), "user": "beto"}]})
    assert status == 400 and "exactly the fields" in reply["error"]
    status, reply = _post(hub, hub.tokens["ana"], {"attempts": [new_attempt()], "user": "beto"})
    assert status == 400
    status, reply = request("GET", hub.service_url + "api/attempts", None, hub.tokens["beto"])
    assert status == 200 and reply["user"] == "beto" and mine["key"] not in json.dumps(reply)
    status, reply = request("GET", hub.service_url + "api/attempts", None, hub.tokens["ana"])
    assert reply["user"] == "ana" and mine["key"] in {a["key"] for a in reply["attempts"]}


def test_a_student_cannot_read_others_attempts_or_the_class_view(hub):
    token = hub.tokens["beto"]
    status, reply = request("GET", hub.service_url + "api/attempts?user=ana", None, token)
    assert status == 403 and "own attempts" in reply["error"]
    for path in ("api/summary", "api/detail", "export.csv", "", "detail", "?projector=1"):
        status, reply = request("GET", hub.service_url + path, None, token)
        assert status == 403, (path, status)
        assert "ana" not in json.dumps(reply), path


def test_without_a_token_or_without_access_nothing_is_read_or_written(hub):
    assert request("GET", hub.service_url + "api/summary")[0] == 401
    assert _post(hub, None, {"attempts": [new_attempt()]})[0] == 401
    no_access = hub.tokens["carla/no-access"]
    assert _post(hub, no_access, {"attempts": [new_attempt()]})[0] == 403
    assert request("GET", hub.service_url + "api/attempts", None, no_access)[0] == 403
    assert _post(hub, "not-a-token", {"attempts": [new_attempt()]})[0] == 403
    # the browser page sends a visitor without a session to the hub's login
    status, _ = request("GET", hub.service_url, headers={"Accept": "text/html"})
    assert status in (200, 302)  # urllib follows the redirect to the hub's login page
    assert "health" and request("GET", hub.service_url + "health") == (200, "ok")


@pytest.mark.parametrize(
    "raw, headers, status",
    [
        (b"{not json", {}, 400),
        (b'{"attempts": "many"}', {}, 400),
        (json.dumps({"attempts": [{"key": "x" * 32}]}).encode(), {}, 400),
        (json.dumps({"attempts": [new_attempt()] * 201}).encode(), {}, 413),
        (b'{"attempts": [' + b" " * 70_000 + b"]}", {}, 413),
        (b" " * (2 << 20), {}, 413),
        (json.dumps({"attempts": [new_attempt()]}).encode(), {"Content-Type": "text/plain"}, 415),
    ],
)
def test_malformed_or_oversized_bodies_are_refused_with_a_clear_status(hub, raw, headers, status):
    got, reply = _post(hub, hub.tokens["ana"], None, raw=raw, headers=headers)
    assert got == status, reply
    if isinstance(reply, dict):
        assert reply["error"]


def test_the_instructor_sees_counts_names_and_the_export(hub):
    _post(hub, hub.tokens["beto"], {"attempts": [new_attempt(status="correct", mistake="")]})
    token = hub.tokens["teacher"]
    status, summary = request("GET", hub.service_url + "api/summary?section=04&lang=es", None, token)
    assert status == 200 and summary["section"] == "04"
    card = next(e for e in summary["exercises"] if e["id"] == "04.output_size")
    assert card["tried"] >= 2 and card["solved"] >= 1
    assert card["mistakes"][0]["name"] == "eso es con paso 1"
    assert "ana" not in json.dumps(summary)  # the summary (and projector) has no names
    status, detail = request("GET", hub.service_url + "api/detail?exercise=04.output_size", None, token)
    assert {r["user"] for r in detail["students"]} >= {"ana", "beto"}
    status, text = request("GET", hub.service_url + "export.csv", None, token)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert status == 200 and {"ana", "beto"} <= {r["user"] for r in rows}
    status, other = request("GET", hub.service_url + "api/attempts?user=ana", None, token)
    assert status == 200 and other["user"] == "ana"


def test_the_page_escapes_what_it_is_given(hub):
    status, page = request(
        "GET",
        hub.service_url + '?section="><script>alert(1)</script>',
        None,
        hub.tokens["teacher"],
        headers={"Accept": "text/html"},
    )
    assert status == 200
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
    js = request("GET", hub.service_url + "static/classview.js")[1]
    assert "innerHTML" not in js and "http" not in js


def test_a_flood_from_one_student_is_slowed_with_429(hub):
    token = hub.tokens["beto"]
    statuses = []
    for _ in range(5):
        status, _reply = _post(hub, token, {"attempts": [new_attempt() for _ in range(200)]})
        statuses.append(status)
    assert 429 in statuses
    assert _post(hub, hub.tokens["ana"], {"attempts": [new_attempt()]})[0] == 200  # others go on


# -- a class in a real kernel, with the service stopped and restarted in the middle ----------------
KERNEL_CODE = """
import json, time
from meia_cnn.exercises import check
from meia_cnn.classroom import client
times = []
for i in range({n}):
    t = time.perf_counter()
    check("04.output_size", (13, 7, 12)[i % 3])
    times.append(time.perf_counter() - t)
sent = client.flush({flush})
times.sort()
print(json.dumps({{"enabled": client.enabled(), "sent": sent, "p50": times[len(times) // 2], "max": times[-1]}}))
"""


def _answer(kernel: Kernel, n: int, flush: float) -> dict:
    return json.loads(kernel.run(KERNEL_CODE.format(n=n, flush=flush)).strip())


def _stored(hub, user):
    status, reply = request("GET", hub.service_url + f"api/attempts?user={user}", None, hub.tokens["teacher"])
    assert status == 200
    return [a["key"] for a in reply["attempts"]]


def test_the_service_stops_at_once_while_a_class_view_waits_for_news(hub):
    """The hub stops a service with SIGINT, then SIGTERM after 10 s: an open class view's long poll
    (up to 20 s) must not hold the service, and through it the hub's shutdown."""
    token = hub.tokens["teacher"]
    version = request("GET", hub.service_url + "api/summary", None, token)[1]["version"]
    answered: list[tuple[int, float]] = []

    def long_poll() -> None:
        start = time.monotonic()
        status, _reply = request("GET", hub.service_url + f"api/summary?since={version}", None, token)
        answered.append((status, time.monotonic() - start))

    waiting = threading.Thread(target=long_poll)
    waiting.start()
    time.sleep(1.0)  # the poll is waiting in the service
    pid = hub.service_pid()
    start = time.monotonic()
    os.kill(pid, signal.SIGINT)
    try:
        while time.monotonic() - start < 15 and _alive(pid):
            time.sleep(0.05)
        stopped = time.monotonic() - start
        waiting.join(30)
        assert stopped < 5, f"the service took {stopped:.1f} s to stop"
        assert answered and answered[0][0] == 200 and answered[0][1] < 6, answered
    finally:
        deadline = time.monotonic() + 90  # the hub notices and starts it again, for the tests after this one
        while not hub.service_up() and time.monotonic() < deadline:
            time.sleep(0.5)
    assert hub.service_up(), hub.tail()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie until the hub reaps it: stopped all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:  # reaped meanwhile
        return False


def test_a_class_goes_on_while_the_service_is_stopped_and_restarted(hub):
    user = "dora"
    hub.add_users([user])
    hub.start_server(user)
    kernel = Kernel(hub, user)
    before = _answer(kernel, 20, 30)  # sent with the server's own token: the scopes hubconfig gives it
    assert before["enabled"] and before["sent"], before
    assert len(_stored(hub, user)) == 20
    pid = hub.service_pid()
    assert pid
    os.kill(pid, signal.SIGKILL)
    during = _answer(kernel, 30, 0.1)  # the service is away: answers are kept, checks stay fast
    assert not during["sent"]
    assert during["max"] < 0.1, during
    deadline = time.monotonic() + 90  # the hub notices and starts the service again
    while not hub.service_up() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert hub.service_up(), hub.tail()
    after = _answer(kernel, 10, 120)
    assert after["sent"], after
    keys = _stored(hub, user)
    assert len(keys) == 60 and len(set(keys)) == 60  # none lost, none twice
    print(
        f"check() p50/max ms: before {before['p50'] * 1e3:.2f}/{before['max'] * 1e3:.2f}, "
        f"service down {during['p50'] * 1e3:.2f}/{during['max'] * 1e3:.2f}, "
        f"after {after['p50'] * 1e3:.2f}/{after['max'] * 1e3:.2f}"
    )
    kernel.close()
    hub.api("DELETE", f"/users/{user}/server")
