"""Record exercise attempts from a student's kernel and send them to the class view, in the background.

Runs inside a student's kernel, with the standard library alone (importable
without JupyterHub).  Recording is on only when all of these hold:

- the kernel runs in a JupyterHub single-user server (``JUPYTERHUB_API_TOKEN``
  and ``JUPYTERHUB_SERVICE_PREFIX`` in the environment the hub gives it);
- the hub's configuration gives the service's address in ``MEIA_CLASS_URL``
  (:func:`meia_cnn.classroom.hubconfig.hub_config` sets it);
- the student has not opted out: ``MEIA_CLASS_OPT_OUT=1`` in the environment, or
  :func:`opt_out` in any notebook (it leaves a file ``opted-out`` in ``MEIA_CLASS_DIR``
  that every kernel of the student reads, until :func:`opt_in`).

Off the hub nothing is sent, nothing is written and nothing changes.

What is recorded per attempt: the exercise id, the variant (which numbers),
whether the answer was right, the key of the known mistake it matched (e.g.
``"mistake.0"``, never the answer itself), the time, and a random key.  The
student's name is not sent: the service takes it from the hub's token.

A student's feedback never waits on the network: :func:`record` puts the
attempt on a bounded in-memory queue and returns.  One daemon thread appends
queued attempts to a JSON-lines file (``MEIA_CLASS_DIR``, by default
``~/.local/share/meia-cnn/class``) and sends what is pending in batches,
retrying with exponential backoff while the service is away; an attempt leaves
the file only once the service has answered for it.  Every attempt carries an
idempotency key, so an attempt sent twice (a lost answer, a restart) is stored
once.  Files left by kernels that ended are adopted and sent by the next one.
"""

from __future__ import annotations

import json
import os
import queue
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

__all__ = [
    "ENV_URL",
    "ENV_OPT_OUT",
    "ENV_DIR",
    "enabled",
    "record",
    "record_feedback",
    "opt_out",
    "opt_in",
    "flush",
    "Recorder",
    "OPTED_OUT",
]

#: The service's base URL as the single-user server reaches it (set by the hub's configuration).
ENV_URL = "MEIA_CLASS_URL"
#: ``1``/``true``/``yes``: never record in this server.
ENV_OPT_OUT = "MEIA_CLASS_OPT_OUT"
#: Where pending attempts are kept (default ``~/.local/share/meia-cnn/class``).
ENV_DIR = "MEIA_CLASS_DIR"

#: The file whose presence in the spool folder turns recording off in every kernel of the student.
OPTED_OUT = "opted-out"
#: Attempts the in-memory queue holds; beyond it new attempts are dropped (and counted).
QUEUE_SIZE = 1000
#: Attempts kept on disk per kernel while the service is away; the oldest go first beyond it.
MAX_PENDING = 5000
#: Attempts per request.
BATCH = 100
#: Seconds to wait for the service per request.
TIMEOUT = 5.0
#: Backoff between failed sends: first, most (seconds).
BACKOFF = (0.5, 15.0)
#: The statuses worth recording (an answer left as ``...`` is not an attempt).
RECORDED = ("correct", "wrong", "invalid")

_opted_out = False
_lock = threading.Lock()
_recorder: Recorder | None = None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _endpoint() -> tuple[str, str] | None:
    """``(url, token)`` when this kernel should record, else None (cheap: reads the environment)."""
    if _opted_out or _truthy(os.environ.get(ENV_OPT_OUT)):
        return None
    url = os.environ.get(ENV_URL, "").strip()
    token = os.environ.get("JUPYTERHUB_API_TOKEN", "").strip()
    if not (url and token and os.environ.get("JUPYTERHUB_SERVICE_PREFIX")):
        return None
    if not url.startswith(("http://", "https://")) or (_spool_dir() / OPTED_OUT).exists():
        return None
    return url.rstrip("/") + "/", token


def enabled() -> bool:
    """True when attempts from this kernel are recorded (on the hub, service configured, not opted out).

    Returns
    -------
    bool

    Examples
    --------
    >>> import os
    >>> enabled() == bool(os.environ.get("MEIA_CLASS_URL") and os.environ.get("JUPYTERHUB_API_TOKEN")
    ...                   and os.environ.get("JUPYTERHUB_SERVICE_PREFIX"))
    True
    """
    return _endpoint() is not None


def opt_out() -> None:
    """Stop recording, in this kernel and in every other notebook of the student, and forget the
    attempts not sent yet.  On the hub the choice is kept (a file ``opted-out`` beside the pending
    attempts) until :func:`opt_in`.

    Examples
    --------
    >>> opt_out(); enabled()
    False
    >>> opt_in()
    """
    global _opted_out
    _opted_out = True
    with _lock:
        if _recorder is not None:
            _recorder.forget()
    if os.environ.get("JUPYTERHUB_SERVICE_PREFIX") and os.environ.get(ENV_URL):
        try:
            _spool_dir().mkdir(parents=True, exist_ok=True)
            (_spool_dir() / OPTED_OUT).write_text("Attempts are not sent to the class view (opt_out()).\n")
        except OSError:
            pass  # this kernel stays opted out all the same


def opt_in() -> None:
    """Record again after :func:`opt_out` (the environment's ``MEIA_CLASS_OPT_OUT`` still wins)."""
    global _opted_out
    _opted_out = False
    try:
        (_spool_dir() / OPTED_OUT).unlink(missing_ok=True)
    except OSError:
        pass


def _get_recorder() -> Recorder | None:
    global _recorder
    endpoint = _endpoint()
    if endpoint is None:
        return None
    with _lock:
        if _recorder is None or (_recorder.url, _recorder.token) != endpoint:
            if _recorder is not None:
                _recorder.stop()
            _recorder = Recorder(*endpoint, directory=_spool_dir())
            _recorder.start()
        return _recorder


def _spool_dir() -> Path:
    given = os.environ.get(ENV_DIR)
    if given:
        return Path(given)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "meia-cnn" / "class"


def record(exercise: str, variant: int, status: str, mistake: str = "") -> bool:
    """Queue one attempt for the class view; returns at once and never raises.

    Parameters
    ----------
    exercise : str
        The exercise id, e.g. ``"04.output_size"``.
    variant : int
        Which numbers the question was asked with.
    status : {'correct', 'wrong', 'invalid'}
        The verdict (``'waiting'`` is not an attempt and is not recorded).
    mistake : str
        The key of the known mistake the answer matched (``""`` when none).

    Returns
    -------
    bool
        True when the attempt was queued (on the hub, not opted out, queue not full).

    Examples
    --------
    >>> import os
    >>> record("04.output_size", 0, "correct") == enabled()
    True
    """
    try:
        if status not in RECORDED:
            return False
        recorder = _get_recorder()
        if recorder is None:
            return False
        return recorder.put(
            {
                "key": uuid.uuid4().hex,
                "exercise": str(exercise)[:64],
                "variant": int(variant),
                "status": status,
                "mistake": str(mistake or "")[:64],
                "time": time.time(),
            }
        )
    except Exception:  # noqa: BLE001 - recording must never disturb a student's check
        return False


def record_feedback(feedback: Any, variant: int = 0) -> bool:
    """Queue the attempt a :class:`~meia_cnn.exercises.Feedback` is the verdict on (the kit's one hook).

    Parameters
    ----------
    feedback : Feedback
        Reads ``.exercise``, ``.status`` and ``.mistake``.
    variant : int
        Which numbers the question was asked with.

    Returns
    -------
    bool
        As :func:`record`.
    """
    if _endpoint() is None:  # off the hub: one environment read, nothing else
        return False
    return record(
        getattr(feedback, "exercise", ""), variant, getattr(feedback, "status", ""), getattr(feedback, "mistake", "")
    )


def flush(timeout: float = 10.0) -> bool:
    """Wait until every queued attempt has been accepted by the service (tests, the end of a class).

    Parameters
    ----------
    timeout : float
        Seconds to wait at most.

    Returns
    -------
    bool
        True when nothing is pending (also off the hub).
    """
    recorder = _recorder
    return True if recorder is None else recorder.wait_sent(timeout)


class Recorder:
    """The background sender of one kernel: a bounded queue, a file of pending attempts, one thread.

    Parameters
    ----------
    url : str
        The service's base URL, ending in ``/``.
    token : str
        The hub's API token of this server (``JUPYTERHUB_API_TOKEN``).
    directory : path
        Where pending attempts are kept (one JSON-lines file per kernel).
    """

    def __init__(self, url: str, token: str, *, directory: Path | str) -> None:
        self.url = url
        self.token = token
        self.directory = Path(directory)
        self.path = self.directory / f"pending-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self.queue: queue.Queue[dict] = queue.Queue(maxsize=QUEUE_SIZE)
        self.pending: list[dict] = []
        self.dropped = 0
        self.sent = 0
        self.last_error = ""
        self._mutex = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="meia-class-sender", daemon=True)

    # -- the kernel's side: never blocks ---------------------------------------------------
    def put(self, attempt: dict) -> bool:
        """Queue an attempt; False (and counted in ``dropped``) when the queue is full."""
        try:
            self.queue.put_nowait(attempt)
        except queue.Full:
            self.dropped += 1
            return False
        self._idle.clear()
        self._wake.set()
        return True

    def start(self) -> None:
        """Start the sender thread."""
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the sender thread (pending attempts stay on disk for the next kernel)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def forget(self) -> None:
        """Drop every attempt not sent yet, in memory and on disk."""
        with self._mutex:
            while True:
                try:
                    self.queue.get_nowait()
                except queue.Empty:
                    break
            self.pending = []
            self._save()

    def wait_sent(self, timeout: float) -> bool:
        """Wait until nothing is queued or pending; True when so."""
        self._wake.set()
        return self._idle.wait(timeout)

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        delay, next_try = 0.0, 0.0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._adopt()
        except OSError as exc:
            self.last_error = f"cannot keep attempts in {self.directory}: {exc}"
        while not self._stop.is_set():
            if not self.pending and self.queue.empty():
                self._idle.set()
            self._wake.wait(None if not self.pending else max(0.0, next_try - time.monotonic()))
            self._wake.clear()
            if self._stop.is_set():
                break
            self._drain()
            if not self.pending:
                continue
            if time.monotonic() < next_try:
                continue  # woken by a new attempt during a backoff: kept on disk, sent later
            ok, retry_after = self._send()
            if ok:
                delay, next_try = 0.0, 0.0
            else:
                first, most = BACKOFF
                delay = min(most, max(first, delay * 2))
                next_try = time.monotonic() + (retry_after or delay * random.uniform(0.8, 1.2))

    def _drain(self) -> None:
        """Move queued attempts to the pending list and the file."""
        new = []
        while True:
            try:
                new.append(self.queue.get_nowait())
            except queue.Empty:
                break
        if not new:
            return
        with self._mutex:
            self.pending.extend(new)
            if len(self.pending) > MAX_PENDING:
                self.dropped += len(self.pending) - MAX_PENDING
                self.pending = self.pending[-MAX_PENDING:]
                self._save()
            else:
                self._append(new)

    def _append(self, attempts: list[dict]) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.writelines(json.dumps(a, separators=(",", ":")) + "\n" for a in attempts)
        except OSError as exc:
            self.last_error = f"cannot write {self.path}: {exc}"

    def _save(self) -> None:
        """Rewrite the file with what is pending (removed when nothing is)."""
        try:
            if not self.pending:
                self.path.unlink(missing_ok=True)
                return
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(a, separators=(",", ":")) + "\n" for a in self.pending)
            os.replace(tmp, self.path)
        except OSError as exc:
            self.last_error = f"cannot write {self.path}: {exc}"

    def _adopt(self) -> None:
        """Take over the files of kernels that ended (their attempts were never confirmed)."""
        for path in sorted(self.directory.glob("pending-*.jsonl")):
            if path == self.path or _alive(path):
                continue
            claimed = self.directory / f"adopting-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
            try:
                os.rename(path, claimed)  # atomic: one kernel wins a file
            except OSError:
                continue
            for line in claimed.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    attempt = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash
                if isinstance(attempt, dict) and "key" in attempt:
                    self.pending.append(attempt)
            self.pending = self.pending[-MAX_PENDING:]
            self._save()
            claimed.unlink(missing_ok=True)

    def _send(self) -> tuple[bool, float]:
        """POST one batch; ``(ok, retry_after)``. Confirmed or refused attempts leave the file."""
        import urllib.error
        import urllib.request

        batch = self.pending[:BATCH]
        body = json.dumps({"attempts": batch}, separators=(",", ":")).encode()
        request = urllib.request.Request(
            self.url + "api/attempts",
            data=body,
            method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                response.read()
            done = True
        except urllib.error.HTTPError as exc:
            self.last_error = f"HTTP {exc.code}"
            if exc.code == 429 or exc.code >= 500 or exc.code in (401, 403, 404):
                # busy, away, or not (yet) allowed: keep the attempts and retry later
                retry = exc.headers.get("Retry-After") if exc.headers else None
                try:
                    return False, float(retry) if retry else 0.0
                except ValueError:
                    return False, 0.0
            done = True  # 400/413: this batch will never be accepted; do not retry it forever
        except (OSError, ValueError) as exc:
            self.last_error = str(exc)
            return False, 0.0
        keys = {a.get("key") for a in batch}
        with self._mutex:
            self.pending = [a for a in self.pending if a.get("key") not in keys]
            self.sent += len(batch) if done else 0
            self._save()
        return True, 0.0


def _alive(path: Path) -> bool:
    """True when the kernel that wrote ``pending-PID-....jsonl`` still runs."""
    try:
        pid = int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
