"""A real JupyterHub on 127.0.0.1 running the meia-class service: for the security, fault and browser
tests and benchmarks/bench_classview.py.

The hub is configured by :func:`meia_cnn.classroom.hubconfig.apply` (the same call the deploy
configurations make), with a ``driver`` service that creates users, groups and tokens through the
REST API.  The proxy is configurable-http-proxy 5 installed by npm into build/chp (once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROXY_DIR = ROOT / "build" / "chp"
PROXY = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
ACCESS = "access:services!service=meia-class"
INSTRUCTOR = "custom:meia-class:instructor"


def new_attempt(exercise="04.output_size", status="wrong", mistake="mistake.0", **extra) -> dict:
    """One attempt as the kernel's client sends it: a fresh idempotency key, variant 0, the time now."""
    return {
        "key": uuid.uuid4().hex,
        "exercise": exercise,
        "variant": 0,
        "status": status,
        "mistake": mistake,
        "time": time.time(),
        **extra,
    }


def missing() -> str | None:
    """Why a hub cannot start here (None when it can); installs the proxy on first use."""
    try:
        import jupyterhub  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        return f"the hub extra is not installed ({exc.name}): pip install jupyterhub sqlalchemy"
    if not PROXY.exists():
        npm = shutil.which("npm")
        if npm is None:
            return "npm is not installed: configurable-http-proxy cannot be installed"
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PROXY_DIR), "configurable-http-proxy@5"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode or not PROXY.exists():
            return f"npm could not install configurable-http-proxy@5: {done.stderr.strip()[-300:]}"
    return None


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


CONFIG = """
import os, sys
from meia_cnn.classroom.hubconfig import apply
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{dir}/cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{dir}/proxy.pid"
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{dir}/homes/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
if os.getuid() == 0:
    c.Spawner.args = ["--allow-root"]
c.JupyterHub.services = [{{"name": "driver", "api_token": {driver_token!r}}}]
c.JupyterHub.load_roles = [{{"name": "driver", "services": ["driver"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "admin:groups", "tokens", "read:hub",
               "{access}", "{instructor}"]}}]
c.JupyterHub.load_groups = {{"instructors": {{"users": ["teacher"]}}}}
c.Spawner.environment = {{"PYTHONPATH": {pythonpath!r}, "MEIA_CLASS_DIR": "{dir}/spool/{{username}}"}}
apply(c, port={service_port}, db={db!r}, environment={{"PYTHONPATH": {pythonpath!r}}})
"""


class Hub:
    """A hub with the service, started in its own process group; ``stop()`` ends everything."""

    def __init__(self, directory: Path, *, db: str | None = None) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port, self.hub_port, self.proxy_api, self.service_port = free_ports(4)
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_url = f"{self.url}/services/meia-class/"
        self.direct_url = f"http://127.0.0.1:{self.service_port}/services/meia-class/"
        self.token = secrets.token_hex(16)
        self.password = secrets.token_hex(8)
        self.db = db or f"sqlite:///{self.dir}/meia-class.sqlite"
        singleuser = str(Path(sys.executable).with_name("jupyterhub-singleuser"))
        (self.dir / "jupyterhub_config.py").write_text(
            CONFIG.format(
                port=self.port,
                hub_port=self.hub_port,
                proxy_api=self.proxy_api,
                proxy=str(PROXY),
                dir=self.dir,
                password=self.password,
                singleuser=singleuser,
                driver_token=self.token,
                access=ACCESS,
                instructor=INSTRUCTOR,
                pythonpath=str(ROOT),
                service_port=self.service_port,
                db=self.db,
            )
        )
        self.log = open(self.dir / "hub.log", "ab")
        self.process: subprocess.Popen | None = None
        self.tokens: dict[str, str] = {}

    def start(self, timeout: float = 90) -> Hub:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("JUPYTERHUB_API_TOKEN", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(self.dir / "jupyterhub_config.py")],
            cwd=self.dir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub ended ({self.process.returncode}): {self.tail()}")
            try:
                if self.api("GET", "/info")[0] == 200 and self.service_up():
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not start in {timeout} s: {self.tail()}")

    def tail(self) -> str:
        return (self.dir / "hub.log").read_text(errors="replace")[-3000:]

    def service_up(self) -> bool:
        try:
            with urllib.request.urlopen(self.service_url + "health", timeout=2) as r:
                return r.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def api(self, method: str, path: str, body: object = None, token: str | None = None) -> tuple[int, object]:
        return request(method, f"{self.url}/hub/api{path}", body, token or self.token, timeout=180)

    def add_users(self, names: list[str]) -> None:
        for i in range(0, len(names), 100):
            status, reply = self.api("POST", "/users", {"usernames": names[i : i + 100]})
            assert status in (201, 409), reply

    def token_for(self, user: str, scopes: list[str]) -> str:
        status, reply = self.api(
            "POST", f"/users/{user}/tokens", {"scopes": scopes, "expires_in": 7200, "note": "meia-class test"}
        )
        assert status == 201, reply
        return reply["token"]  # type: ignore[index]

    def start_server(self, user: str, timeout: float = 120) -> None:
        """Start ``user``'s single-user server and wait until the hub says it is ready."""
        status, reply = self.api("POST", f"/users/{user}/server")
        assert status in (201, 202), reply
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{user}")[1]
            if model["servers"].get("", {}).get("ready"):  # type: ignore[index]
                return
            time.sleep(0.5)
        raise AssertionError(f"{user}'s server did not start in {timeout} s: {self.tail()}")

    def service_pid(self) -> int | None:
        """The pid of the service process the hub started (found by its port)."""
        out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
        for line in out.splitlines()[1:]:
            pid, ppid, args = line.strip().split(None, 2)
            if "meia_cnn.classroom.service" in args and self.process and int(ppid) == self.process.pid:
                return int(pid)
        return None

    def stop(self) -> None:
        # the hub starts the service and the proxy in sessions of their own: note them to end them too
        leftovers = [pid for pid in (self.service_pid(), _pid_in(self.dir / "proxy.pid")) if pid]
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        # the proxy and the service run in the hub's process group: make sure none is left
        try:
            os.killpg(self.process.pid, signal.SIGKILL) if self.process else None
        except ProcessLookupError:
            pass
        for pid in leftovers:  # still there when the hub could not clean up (e.g. killed while busy)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


class Kernel:
    """One kernel of a student's server, driven through its websocket as JupyterLab does."""

    def __init__(self, hub, user: str) -> None:
        self.hub, self.user = hub, user
        self.base = f"{hub.url}/user/{user}/api"
        self.loop = asyncio.new_event_loop()
        status, kernel = request("POST", self.base + "/kernels", {"name": "python3"}, hub.token)
        assert status == 201, kernel
        self.id = kernel["id"]
        self.ws = self.loop.run_until_complete(self._connect())

    async def _connect(self):
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.base.replace("http://", "ws://") + f"/kernels/{self.id}/channels"
        return await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.hub.token}"}))

    def run(self, code: str, timeout: float = 180) -> str:
        return self.loop.run_until_complete(self._run(code, timeout))

    async def _run(self, code: str, timeout: float) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": self.user,
                        "session": uuid.uuid4().hex,
                        "date": "",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        out, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(await asyncio.wait_for(self.ws.read_message(), deadline - time.monotonic()))
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
        raise AssertionError(f"no answer from the kernel in {timeout} s")

    def close(self) -> None:
        async def close_websocket() -> None:  # in its loop: a thread of its own has no other
            self.ws.close()

        self.loop.run_until_complete(close_websocket())
        self.loop.close()
        request("DELETE", self.base + f"/kernels/{self.id}", None, self.hub.token)


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def running_hub(
    directory: Path, users: list[str], tokens: dict[str, list[str]], *, db: str | None = None
) -> Iterator[Hub]:
    """A started hub with ``users`` and ``hub.tokens[name]`` holding the ``tokens`` asked for (the service
    on ``db``, SQLite by default); skips the test with the reason when a hub cannot start here."""
    import pytest

    reason = missing()
    if reason:
        pytest.skip(reason)
    hub = Hub(directory, db=db)
    try:
        hub.start()
        hub.add_users(users)
        hub.tokens = {name: hub.token_for(name.split("/")[0], scopes) for name, scopes in tokens.items()}
        yield hub
    finally:
        hub.stop()


def request(
    method: str,
    url: str,
    body: object = None,
    token: str | None = None,
    *,
    raw: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 30,
) -> tuple[int, object]:
    """One HTTP request; ``(status, parsed JSON or text)``; never raises on an HTTP status."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    h = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        h["Authorization"] = f"token {token}"
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            status, text = exc.code, exc.read().decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text
