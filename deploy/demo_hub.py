"""`make hub`: a demo JupyterHub for the kit on 127.0.0.1, a few students, a one-time password.

    python deploy/demo_hub.py [--students 3] [--port 8765] [--lang es] [--class-minutes 2] [--section 04]

Everything goes under build/hub/: the proxy (configurable-http-proxy, installed by npm from
deploy/proxy/package.json), a `notebooks` branch of this checkout's committed notebooks in a local
git repository (what nbgitpuller pulls into each student's ~/meia-cnn, 0.4 MB instead of the whole
repository), the students' homes, the hub's database. Stop it with Ctrl-C.

Once the hub is up, the demo students answer the exercises of one section in their own kernels
for a couple of minutes (:class:`DemoClass`: right answers and the exercises' known mistakes,
through the kit's ``check``), so the class view at /services/meia-class/ fills while you watch
it; ``--class-minutes 0`` leaves them idle.

The module is also a small library for the hub test and benchmarks/bench_hub.py: :class:`DemoHub`
starts and stops the hub and talks to its REST API; :class:`Student` runs a notebook through a
real single-user server's kernel websocket.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_ROOT = REPO / "build" / "hub"
BIN = Path(sys.executable).parent
LAB_LOCALE = {"es": "es_ES", "en": "en"}


class HubError(RuntimeError):
    """The demo hub could not be prepared or started; the message says what to do."""


def _sigint_as_usual() -> None:
    """In the hub's process, before it starts: SIGINT back to its default.

    A shell starts a background job with SIGINT ignored, and a process started so never sees it, nor
    do the processes it starts. The hub stops its services with SIGINT first and waits 30 s before
    SIGTERM: the idle culler would hold every stop of the demo hub up that long.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def install_proxy(root: Path) -> Path:
    """configurable-http-proxy under ``root/proxy`` (npm install from deploy/proxy/package.json)."""
    folder = root / "proxy"
    command = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise HubError("the hub's proxy needs Node.js and npm (e.g. `apt install nodejs npm`)")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "proxy" / "package.json", folder / "package.json")
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True)
    return command


def notebooks_branch(root: Path) -> str:
    """A git repository under ``root`` whose `notebooks` branch holds HEAD's notebooks/ folder alone.

    Returns its URL (a local path) for nbgitpuller. The commit is made from the tree of
    ``HEAD:notebooks`` (committed work only), the same way a release's notebooks branch is made
    (deploy/README.md).
    """
    remote = root / "course.git"
    if not remote.exists():
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    git = ["git", "-C", str(REPO)]
    version = subprocess.run(
        git + ["describe", "--always", "--dirty"], capture_output=True, text=True, check=True
    ).stdout.strip()
    commit = subprocess.run(
        git + ["commit-tree", "HEAD:notebooks", "-m", f"notebooks of {version}"],
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "meia-cnn",
            "GIT_AUTHOR_EMAIL": "meia-cnn@localhost",
            "GIT_COMMITTER_NAME": "meia-cnn",
            "GIT_COMMITTER_EMAIL": "meia-cnn@localhost",
            "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
        },
    ).stdout.strip()
    subprocess.run(git + ["push", "--quiet", "--force", str(remote), f"{commit}:refs/heads/notebooks"], check=True)
    return str(remote)


def jupyter_config(root: Path, language: str) -> tuple[Path, Path]:
    """The kit's Jupyter configuration and a JupyterLab settings folder for the students' language.

    An installed kit has the first in {sys.prefix}/etc/jupyter already; a source checkout has it in
    voila.json and etc/jupyter/, copied here. The second holds overrides.json: JupyterLab's menus in
    the class's language (the setting a hub admin puts in {sys.prefix}/share/jupyter/lab/settings).
    """
    config = root / "jupyter-config"
    (config / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "voila.json", config / "voila.json")
    for path in (REPO / "etc" / "jupyter" / "jupyter_server_config.d").glob("*.json"):
        shutil.copyfile(path, config / "jupyter_server_config.d" / path.name)
    settings = root / f"lab-settings-{language}"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(
        json.dumps({"@jupyterlab/translation-extension:plugin": {"locale": LAB_LOCALE[language]}}, indent=2) + "\n"
    )
    return config, settings


class DemoHub:
    """deploy/demo_hub_config.py started in its own process group; :meth:`api` is its REST API."""

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        *,
        students: list[str] | None = None,
        port: int = 8765,
        language: str = "es",
        password: str | None = None,
        nodelay: bool = True,
        proxy_root: Path | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.proxy_root = Path(proxy_root or root).resolve()
        self.students = students or ["student1", "student2", "student3"]
        self.port = port
        self.language = language
        self.password = password or secrets.token_urlsafe(9)
        self.token = secrets.token_hex(24)
        self.nodelay = nodelay
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.leftovers: list[str] = []  # processes the hub left running when it stopped

    def prepare(self) -> dict[str, str]:
        """Proxy, notebooks branch and configuration; the environment the hub is started with."""
        self.root.mkdir(parents=True, exist_ok=True)
        proxy = install_proxy(self.proxy_root)
        config, settings = jupyter_config(self.root, self.language)
        if not self.nodelay:  # the benchmark's "before": jupyter_server's own kernel websocket
            for path in (config / "jupyter_server_config.d").glob("meia-cnn*.json"):
                path.unlink()
        return {
            **os.environ,
            "MEIA_HUB_DIR": str(self.root),
            "MEIA_HUB_PORT": str(self.port),
            "MEIA_HUB_STUDENTS": " ".join(self.students),
            "MEIA_HUB_PASSWORD": self.password,
            "MEIA_HUB_API_TOKEN": self.token,
            "MEIA_HUB_PROXY": str(proxy),
            "MEIA_HUB_JUPYTER_CONFIG": str(config),
            "MEIA_HUB_LAB_SETTINGS": str(settings),
            "MEIA_HUB_NOTEBOOKS": notebooks_branch(self.root),
            "MEIA_CNN_LANG": self.language,
        }

    def start(self, *, timeout: float = 90, log: Path | None = None) -> DemoHub:
        env = self.prepare()
        (self.root / "proxy.pid").unlink(missing_ok=True)
        out = open(log or self.root / "hub.log", "ab")
        self.process = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(HERE / "demo_hub_config.py")],
            cwd=self.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_sigint_as_usual,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"the hub exited with {self.process.returncode}; see {self.root / 'hub.log'}")
            try:
                self.api("GET", "/")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        self.stop()
        raise HubError(f"the hub did not answer within {timeout:.0f} s; see {self.root / 'hub.log'}")

    def stop(self, timeout: float = 180) -> int | None:
        """Stop the hub (it stops the servers and the proxy), then anything of it still running.

        The servers and kernels run in sessions of their own, out of the hub's process group, so
        they are collected from the hub's process tree first; whatever outlives the hub's own
        clean-up (say a hub killed after ``timeout`` seconds) is terminated here. Returns the hub's
        exit status.
        """
        import psutil  # a dependency of ipykernel

        if self.process is None:
            return None
        try:
            family = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.leftovers = []
        for process in family:
            try:
                if process.is_running():
                    self.leftovers.append(" ".join(process.cmdline())[:120])
                    process.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(family, timeout=15)
        for process in alive:
            process.kill()
        return self.process.returncode

    def __enter__(self) -> DemoHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def request(self, method: str, url: str, body: object = None, *, timeout: float = 120, raw: bool = False) -> object:
        """One HTTP request with the driver service's token; the JSON answer (None when empty), or the text."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as response:
            text = response.read()
        if raw:
            return text.decode()
        return json.loads(text) if text else None

    def api(self, method: str, path: str, body: object = None, **kw: float) -> object:
        return self.request(method, f"{self.url}/hub/api{path}", body, **kw)

    def spawn(self, name: str, *, timeout: float = 300) -> float:
        """Create the user if needed, start its server, wait until it is ready; the seconds it took."""
        start = time.perf_counter()
        try:
            self.api("POST", f"/users/{name}")
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409: exists already
                raise
        try:
            self.api("POST", f"/users/{name}/server")
        except urllib.error.HTTPError as error:
            if error.code != 400:  # 400: already running
                raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.api("GET", f"/users/{name}")
            server = user["servers"].get("", {})  # type: ignore[index]
            if server.get("ready"):
                return time.perf_counter() - start
            time.sleep(0.5)
        raise HubError(f"{name}'s server was not ready within {timeout:.0f} s")


def _decode(frame: str | bytes) -> dict[str, object]:
    """A kernel websocket frame: JSON text, or binary (message count, offsets, the JSON, buffers)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    return json.loads(frame[offsets[0] : offsets[1] if count > 1 else None])


class Student:
    """One student's kernel on their single-user server, driven through the kernel websocket."""

    def __init__(self, hub: DemoHub, name: str) -> None:
        self.hub, self.name = hub, name
        self.base = f"{hub.url}/user/{name}/api"
        self.ws = None
        self.comms: dict[str, dict[str, object]] = {}  # comm id -> widget state at comm_open

    def notebook(self, path: str) -> dict[str, object]:
        model = self.hub.request("GET", f"{self.base}/contents/{path}?content=1")
        return model["content"]  # type: ignore[index,return-value]

    def open(self, path: str) -> None:
        """A session (a kernel in the notebook's folder) and its websocket, as JupyterLab opens them."""
        import websocket  # websocket-client

        session = self.hub.request(
            "POST",
            f"{self.base}/sessions",
            {"path": path, "type": "notebook", "name": path.rsplit("/", 1)[-1], "kernel": {"name": "python3"}},
        )
        self.session_id = session["id"]  # type: ignore[index]
        self.kernel_id = session["kernel"]["id"]  # type: ignore[index]
        url = (
            f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{self.kernel_id}/channels"
            f"?session_id={uuid.uuid4().hex}"
        )
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {self.hub.token}"], timeout=300)

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None
        self.hub.request("DELETE", f"{self.base}/sessions/{self.session_id}")

    def _send(self, channel: str, msg_type: str, content: dict[str, object]) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {  # type: ignore[union-attr]
                    "channel": channel,
                    "content": content,
                    "metadata": {},
                    "parent_header": {},
                    "buffers": [],
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": msg_type,
                        "username": self.name,
                        "session": self.name,
                        "date": "",
                        "version": "5.3",
                    },
                }
            )
        )
        return msg_id

    def _wait_idle(self, msg_id: str) -> list[str]:
        """Read until the kernel is idle after ``msg_id``; the errors it reported (ename: evalue)."""
        errors = []
        while True:
            msg = _decode(self.ws.recv())  # type: ignore[union-attr]
            kind = msg["header"]["msg_type"]
            if kind == "comm_open":
                state = msg["content"].get("data", {}).get("state", {})
                self.comms[msg["content"]["comm_id"]] = state
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif kind == "execute_reply" and msg["content"].get("status") == "error":
                errors.append(f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}")
            elif kind == "status" and msg["content"]["execution_state"] == "idle" and msg["channel"] == "iopub":
                return errors

    def execute(self, code: str) -> tuple[float, list[str]]:
        """Run ``code`` in the kernel; the round trip in seconds and the errors."""
        start = time.perf_counter()
        msg_id = self._send(
            "shell",
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        errors = self._wait_idle(msg_id)
        return time.perf_counter() - start, errors

    def run_all(self, notebook: dict[str, object]) -> tuple[float, list[str]]:
        """Every code cell in order, as Run All does; seconds and errors."""
        start, errors = time.perf_counter(), []
        for cell in notebook["cells"]:  # type: ignore[attr-defined]
            if cell["cell_type"] == "code":
                errors += self.execute(cell["source"])[1]
        return time.perf_counter() - start, errors

    def sliders(self) -> list[tuple[str, dict[str, object]]]:
        """The integer sliders among the widgets the kernel opened (the explorers' controls)."""
        return [
            (cid, s)
            for cid, s in self.comms.items()
            if s.get("_model_name") == "IntSliderModel" and s.get("max", 0) > s.get("min", 0)
        ]  # type: ignore[operator]

    def move(self, comm_id: str, value: int) -> tuple[float, list[str]]:
        """A control change as the browser sends it (a comm message); seconds until the kernel is idle."""
        start = time.perf_counter()
        msg_id = self._send(
            "shell",
            "comm_msg",
            {"comm_id": comm_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}},
        )
        errors = self._wait_idle(msg_id)
        return time.perf_counter() - start, errors


def _literal(value: object) -> str:
    """Python source for an answer the kit computed (numpy numbers and arrays as plain lists and ints)."""
    if hasattr(value, "tolist"):
        value = value.tolist()  # type: ignore[union-attr]
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_literal(v) for v in value)
        return (
            f"({inner},)"
            if isinstance(value, tuple) and len(value) == 1
            else (f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
        )
    return repr(value)


def class_answers(exercise_id: str) -> tuple[str, list[str]]:
    """The right answer of an exercise (variant 0) and its known mistakes, as Python source.

    The mistakes are those the exercise itself computes (the hints' own cases); for the slides'
    table, the first row with the input's depth instead of the number of kernels. A mistake that
    gives the right number with these numbers, or the same number as another, is left out (the
    kit would call it right, or "more than one usual mistake").
    """
    from meia_cnn import exercises

    ex = exercises.get(exercise_id)
    p, right = ex.params(0), ex.solution(0)
    if ex.kind == "table":
        row = next(iter(right))
        return _literal(right), [_literal({**right, row: (*right[row][:2], p.depth)})]
    wrongs = [_literal(wrong(p)) for wrong, _hint in ex.mistakes]
    return _literal(right), [w for w in wrongs if w != _literal(right) and wrongs.count(w) == 1]


class DemoClass:
    """The demo students answer one section's exercises in their own kernels, for the class view.

    Each student works through the section's exercises in order; an answer is often one of the
    exercise's known mistakes first (the first mistake most often, so the class view shows a
    common one), then right, and the last exercise is left unsolved by some. The attempts are
    spread over ``minutes``; each one is a cell ``check(ID, ANSWER)`` run in the student's kernel,
    so it is recorded as a real student's is (meia_cnn.classroom.client, the server's own token).

    Parameters
    ----------
    hub : DemoHub
    minutes : float
        How long the class lasts.
    section : str
        The notebook number whose exercises are answered (e.g. ``"04"``).
    seed : int
        The same class every time for the same seed.
    """

    def __init__(self, hub: DemoHub, *, minutes: float = 2.0, section: str = "04", seed: int = 0) -> None:
        from meia_cnn import exercises

        if not minutes > 0:
            raise ValueError(f"`minutes` must be > 0, got {minutes!r}")
        self.ids = [ex.id for ex in exercises.for_notebook(section)]
        if not self.ids:
            raise ValueError(f"`section` must be a notebook with exercises, e.g. '04'; got {section!r}")
        self.hub, self.minutes, self.section = hub, minutes, section
        self.rng = random.Random(seed)
        self.answered = 0
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run, name="demo-class", daemon=True)

    def plan(self) -> list[tuple[float, str, str, str]]:
        """``(seconds from the start, student, exercise, answer source)``, in time order."""
        rng, events = self.rng, []
        answers = {ex: class_answers(ex) for ex in self.ids}
        span = 60.0 * self.minutes
        for student in self.hub.students:
            cells = []
            for i, ex in enumerate(self.ids):
                right, mistakes = answers[ex]
                if mistakes:
                    weights = [3] + [1] * (len(mistakes) - 1)
                    for _ in range(rng.choice((0, 1, 1, 2))):
                        cells.append((ex, rng.choices(mistakes, weights)[0]))
                if i < len(self.ids) - 1 or rng.random() < 0.6:
                    cells.append((ex, right))
            start = rng.uniform(0.02, 0.15) * span  # reading the question first
            step = (0.95 * span - start) / max(1, len(cells))
            for k, (ex, answer) in enumerate(cells):
                events.append((start + k * step + rng.uniform(0, 0.5 * step), student, ex, answer))
        return sorted(events)

    def start(self) -> DemoClass:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            students = {}
            for name in self.hub.students:
                self.hub.spawn(name)
                students[name] = Student(self.hub, name)
                students[name].open("demo-class.ipynb")
                students[name].execute("from meia_cnn.exercises import check")
            began = time.monotonic()
            for at, name, ex, answer in self.plan():
                time.sleep(max(0.0, began + at - time.monotonic()))
                _seconds, errors = students[name].execute(f"check({ex!r}, {answer})")
                self.errors += errors
                self.answered += 1
            for student in students.values():
                student.execute("from meia_cnn.classroom import client; client.flush(30)")
                student.close()
        except Exception as error:  # noqa: BLE001 - the hub stopping under it ends the demo class
            self.errors.append(f"{type(error).__name__}: {error}")
        print(
            f"The demo class is over: {self.answered} answers checked"
            + (f"; {len(self.errors)} errors, the first: {self.errors[0]}" if self.errors else "")
            + ".",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=3, help="how many demo students (student1, ...)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--lang", choices=("es", "en"), default="es", help="the class's language")
    parser.add_argument(
        "--class-minutes",
        type=float,
        default=2.0,
        help="the demo students answer exercises for this long (0: they do not)",
    )
    parser.add_argument("--section", default="04", help="the notebook whose exercises they answer")
    args = parser.parse_args(argv)
    hub = DemoHub(students=[f"student{i + 1}" for i in range(args.students)], port=args.port, language=args.lang)
    demo = None
    if args.class_minutes > 0:
        try:
            demo = DemoClass(hub, minutes=args.class_minutes, section=args.section)
        except ValueError as error:
            parser.error(str(error))
    try:
        hub.start()
    except HubError as error:
        print(f"make hub: {error}", file=sys.stderr)
        return 1
    print(
        f"\nThe demo hub is at {hub.url}/ (this machine only).\n"
        f"Students: {', '.join(hub.students)}; password for this run: {hub.password}\n"
        f"Class view: {hub.url}/services/meia-class/?projector=1 (log in as teacher, same password)\n"
        f"Homes: {hub.root / 'homes'}; log: {hub.root / 'hub.log'}. Ctrl-C stops it.\n",
        flush=True,
    )
    if demo is not None:
        demo.start()
        print(
            f"The students answer section {args.section}'s exercises for {args.class_minutes:g} min: "
            f"open the class view to watch it fill.\n",
            flush=True,
        )
    # a `kill` stops it as Ctrl-C does: the hub and its servers run in sessions of their own
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        hub.process.wait()  # type: ignore[union-attr]
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
