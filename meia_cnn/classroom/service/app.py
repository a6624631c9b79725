"""The ``meia-class`` JupyterHub service: an API that records attempts and the class view.

Every request is authenticated by the hub (:class:`jupyterhub.services.auth.HubOAuth`):
a token in the ``Authorization`` header (a student's kernel) or the hub's OAuth
cookie (a browser).  The student is whoever the hub says owns the token; the
request body never names anyone.

Routes, under the service's prefix (``/services/meia-class/``):

=========================  ==========  ===========================================
``POST api/attempts``      any user    record the token owner's attempts (token only)
``GET  api/attempts``      any user    the caller's own attempts
``GET  api/summary``       instructor  counts and mistakes per exercise (long poll)
``GET  api/detail``        instructor  per student, with names
``GET  export.csv``        instructor  every attempt, with names
``GET  /``                 instructor  the class view (``?projector=1``: no names)
``GET  detail``            instructor  the detail view with names
``GET  health``            anyone      ``ok`` (no data)
=========================  ==========  ===========================================

An instructor holds the custom scope :data:`INSTRUCTOR_SCOPE` (the hub's role for
the instructors group gives it, see :mod:`meia_cnn.classroom.hubconfig`).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import html
import io
import itertools
import json
import logging
import math
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed
from sqlalchemy import exc as db_errors
from tornado import web

from ... import exercises as _ex
from ...i18n import LANGUAGES, using_language
from ...i18n import gettext as _
from ...i18n import gettext_noop as N_
from .storage import Storage

__all__ = ["INSTRUCTOR_SCOPE", "MAX_BODY", "MAX_BATCH", "ClassState", "make_app", "validate_attempts"]

#: The custom hub scope that opens the class view, the detail view and the export.
INSTRUCTOR_SCOPE = "custom:meia-class:instructor"
#: The largest request body accepted (bytes); larger ones get 413.
MAX_BODY = 64 * 1024
#: The most attempts in one request.
MAX_BATCH = 200
#: Per user: attempts allowed in a burst, and refilled per second.
RATE_BURST, RATE_PER_SECOND = 400, 5.0
#: Seconds the hub's answer on a token is kept (a student's kernel sends every few seconds).
TOKEN_CACHE = 300
#: Seconds a long poll of the summary waits for news.
POLL_WAIT = 20.0
#: Seconds a client is asked to wait before sending again while the database does not answer.
DATABASE_RETRY_AFTER = 2
#: An attempt's time may be this old (a kernel sending what it kept during an outage) ...
MAX_AGE = 30 * 24 * 3600.0
#: ... or this far in the future (clock skew).
MAX_AHEAD = 24 * 3600.0

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MISTAKE = re.compile(r"^(|unreadable|hint|other|several|mistake\.[0-9]{1,3}|table\.[a-z]{1,10}/[0-9]{1,2})$")
_FIELDS = {"key", "exercise", "variant", "status", "mistake", "time"}
_STATUSES = ("correct", "wrong", "invalid")
STATIC = Path(__file__).with_name("static")

#: Names of the mistake keys that are not one of an exercise's own mistakes.
MISTAKE_NAMES = {
    "hint": N_("partly right"),
    "several": N_("more than one usual mistake gives that number"),
    "other": N_("no known mistake"),
    "unreadable": N_("the answer could not be read"),
    "": N_("the answer could not be read"),
}


class BadRequest(web.HTTPError):
    """An HTTP error (4xx, or 503 while the database is away) with a message in the JSON body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, reason=None)
        self.message = message


def validate_attempts(body: bytes, *, now: float | None = None) -> list[dict]:
    """The attempts of a request body, checked; raises :class:`BadRequest` (400/413) naming the fault.

    Parameters
    ----------
    body : bytes
        ``{"attempts": [{"key", "exercise", "variant", "status", "mistake", "time"}, ...]}``.
    now : float, optional
        The current time (tests).

    Returns
    -------
    list of dict
    """
    now = time.time() if now is None else now
    if len(body) > MAX_BODY:
        raise BadRequest(413, f"the body is {len(body):,} bytes; at most {MAX_BODY:,} are accepted")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body is not JSON") from None
    if not isinstance(data, dict) or set(data) != {"attempts"} or not isinstance(data["attempts"], list):
        raise BadRequest(400, 'the body must be {"attempts": [...]}, with nothing else')
    attempts = data["attempts"]
    if len(attempts) > MAX_BATCH:
        raise BadRequest(413, f"{len(attempts)} attempts in one request; at most {MAX_BATCH}")
    checked = []
    for i, a in enumerate(attempts):
        where = f"attempt {i}"
        if not isinstance(a, dict) or set(a) != _FIELDS:
            raise BadRequest(400, f"{where} must have exactly the fields {', '.join(sorted(_FIELDS))}")
        if not isinstance(a["key"], str) or not _KEY.match(a["key"]):
            raise BadRequest(400, f"{where}: `key` must be 8-64 letters, digits, '-' or '_'")
        if not isinstance(a["exercise"], str) or a["exercise"] not in _ex.EXERCISES:
            raise BadRequest(400, f"{where}: unknown exercise {str(a['exercise'])[:64]!r}")
        variant = a["variant"]
        if isinstance(variant, bool) or not isinstance(variant, int) or not 0 <= variant <= _ex.MAX_VARIANT:
            raise BadRequest(400, f"{where}: `variant` must be a whole number between 0 and {_ex.MAX_VARIANT:,}")
        if a["status"] not in _STATUSES:
            raise BadRequest(400, f"{where}: `status` must be one of {', '.join(_STATUSES)}")
        if not isinstance(a["mistake"], str) or not _MISTAKE.match(a["mistake"]):
            raise BadRequest(400, f"{where}: unknown `mistake` {str(a['mistake'])[:64]!r}")
        t = a["time"]
        if (
            isinstance(t, bool)
            or not isinstance(t, (int, float))
            or not math.isfinite(t)
            or not now - MAX_AGE <= t <= now + MAX_AHEAD
        ):
            raise BadRequest(400, f"{where}: `time` must be seconds since the epoch, within the last 30 days")
        checked.append({**a, "time": float(t)})
    return checked


class RateLimit:
    """A token bucket per user: ``burst`` attempts at once, refilled at ``per_second``."""

    def __init__(self, burst: float = RATE_BURST, per_second: float = RATE_PER_SECOND) -> None:
        self.burst, self.per_second = burst, per_second
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, user: str, n: int, now: float | None = None) -> float:
        """Take ``n``; 0 when allowed, else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        level, then = self.buckets.get(user, (self.burst, now))
        level = min(self.burst, level + (now - then) * self.per_second)
        if n > level:
            self.buckets[user] = (level, now)
            return max(1.0, (n - level) / self.per_second)
        self.buckets[user] = (level - n, now)
        return 0.0


class ClassState:
    """The service's state: storage, the version the live view waits on, cached summaries."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.rate = RateLimit()
        self.version = 1
        self.changed = asyncio.Event()
        self._cache: dict[tuple, dict] = {}
        self.started = time.time()
        self.recorded = 0
        self.polls = 0  # long polls being answered (the service waits for them when it stops)
        # one writer: SQLite takes one writer at a time, and writers waiting on its lock sleep in
        # its busy handler (seconds under load); in one thread they queue instead, ~1 ms each
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="meia-class-writer")

    def bump(self) -> None:
        self.version += 1
        self._cache.clear()
        self.changed.set()
        self.changed = asyncio.Event()

    async def release_waiters(self, timeout: float = 3.0) -> None:
        """Answer every long poll now and wait until they are sent (at most ``timeout`` seconds): the
        service is stopping, and they would hold it up to POLL_WAIT each."""
        self.changed.set()
        deadline = time.monotonic() + timeout
        while self.polls and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def summary(self, language: str, section: str | None) -> dict:
        key = (self.version, language, section)
        if key not in self._cache:
            self._cache = {k: v for k, v in self._cache.items() if k[0] == self.version}
            self._cache[key] = build_summary(self.storage.summaries(), language, section, self.version)
        return self._cache[key]


def mistake_name(exercise_id: str, key: str) -> str:
    """The mistake ``key`` of an exercise named in words, in the current language (the hint's own text).

    Parameters
    ----------
    exercise_id : str
    key : str
        ``"mistake.N"``, ``"table.ROW"``, ``"hint"``, ``"other"``, ``"unreadable"``.

    Returns
    -------
    str

    Examples
    --------
    >>> mistake_name("02.one_value", "mistake.0")
    'that is the cross-correlation (no flip)'
    >>> mistake_name("04.shape_table", "table.valid/2")
    'row valid, stride 2'
    """
    ex = _ex.EXERCISES.get(exercise_id)
    if ex is not None and key.startswith("mistake."):
        i = int(key.split(".", 1)[1])
        if i < len(ex.mistakes):
            text = ex.mistakes[i][1]
            words = text(ex.params(0)) if callable(text) else _(text)
            return words.split(";")[0].strip().rstrip(".")
    if key.startswith("table."):
        padding, _slash, stride = key.split(".", 1)[1].partition("/")
        return _("row {padding}, stride {stride}").format(padding=padding, stride=stride)
    return _(MISTAKE_NAMES.get(key, MISTAKE_NAMES["other"]))


def _labels() -> dict:
    return {
        "title": _("The class at a glance"),
        "tried": _("tried"),
        "solved": _("solved"),
        "attempts": _("attempts"),
        "mistakes": _("Mistakes"),
        "none_yet": _("No attempts yet."),
        "no_mistakes": _("No mistakes so far."),
        "students": _("students"),
        "section": _("Section"),
        "live": _("live"),
        "offline": _("reconnecting…"),
        "projector": _("Projector"),
        "detail": _("Detail with names"),
        "export": _("CSV"),
        "student": _("Student"),
        "exercise": _("Exercise"),
        "last_mistake": _("Last mistake"),
        "yes": _("yes"),
        "no": _("no"),
    }


def build_summary(summaries: dict, language: str, section: str | None, version: int) -> dict:
    """The JSON the class view draws: exercises in lecture order, the current section first, no names."""
    with using_language(language):
        sections = list(dict.fromkeys(ex.notebook for ex in _ex.EXERCISES.values()))
        if section not in sections:
            latest = max(summaries.values(), key=lambda s: s.last, default=None)
            section = latest.exercise.split(".", 1)[0] if latest else sections[0]
        order = [section] + [s for s in sections if s != section]
        exercises = []
        for sec in order:
            for ex in _ex.for_notebook(sec):
                s = summaries.get(ex.id)
                if s is None and sec != section:
                    continue  # other sections show only what was tried
                mistakes = sorted(((k, n) for k, n in (s.mistakes.items() if s else ())), key=lambda kn: -kn[1])
                exercises.append(
                    {
                        "id": ex.id,
                        "section": sec,
                        "title": _(ex.title),
                        "tried": s.tried if s else 0,
                        "solved": s.solved if s else 0,
                        "attempts": s.attempts if s else 0,
                        "mistakes": [{"key": k, "name": mistake_name(ex.id, k), "students": n} for k, n in mistakes],
                    }
                )
        return {
            "version": version,
            "section": section,
            "sections": sections,
            "language": language,
            "exercises": exercises,
            "labels": _labels(),
        }


# ---------------------------------------------------------------------------
# handlers
# ---------------------------------------------------------------------------
class _Base(HubOAuthenticated, web.RequestHandler):
    """Authenticates every request with the hub (token or OAuth cookie) without blocking the loop."""

    state: ClassState

    def initialize(self, state: ClassState) -> None:
        self.state = state
        self.hub_auth = self.settings["hub_auth"]

    async def prepare(self) -> None:
        model = await self.hub_auth.get_user(self, sync=False)
        if model:
            try:
                model = self.check_hub_user(model)
            except UserNotAllowed:
                model = None
        self._hub_auth_user_cache = model

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    @property
    def user(self) -> dict | None:
        return self.current_user if isinstance(self.current_user, dict) else None

    @property
    def is_instructor(self) -> bool:
        user = self.user
        return user is not None and INSTRUCTOR_SCOPE in set(user.get("scopes", []))

    def language(self) -> str:
        asked = self.get_argument("lang", "")
        if asked in LANGUAGES:
            return asked
        accept = self.request.headers.get("Accept-Language", "")
        for part in accept.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
        env = os.environ.get("MEIA_CNN_LANG", "")[:2]
        return env if env in LANGUAGES else LANGUAGES[0]

    @contextlib.contextmanager
    def database(self) -> Iterator[None]:
        """Around a use of the storage: a database that does not answer (stopped, restarting, unreachable)
        is a 503 with ``Retry-After``, which the kernels' senders retry, not a 500."""
        try:
            yield
        except (db_errors.OperationalError, db_errors.InterfaceError) as exc:
            logging.getLogger("meia_class").warning("the database does not answer: %s", str(exc).splitlines()[0])
            self.set_header("Retry-After", str(DATABASE_RETRY_AFTER))
            raise BadRequest(503, "the database does not answer; send again later") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "message", None) or getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"status": status_code, "error": message}))


class _ApiBase(_Base):
    def need_user(self) -> dict:
        if self.user is None:
            raise BadRequest(
                403 if self.request.headers.get("Authorization") else 401,
                "a hub token with access to this service is needed",
            )
        return self.user

    def need_instructor(self) -> dict:
        user = self.need_user()
        if not self.is_instructor:
            raise BadRequest(403, "the class view is for the instructors group")
        return user


@web.stream_request_body
class AttemptsHandler(_ApiBase):
    """Reads the body as it arrives, so a large one is refused with 413 before it is held in memory."""

    async def prepare(self) -> None:
        self._body = bytearray()
        self._too_big = False
        if self.request.method == "POST":
            length = self.request.headers.get("Content-Length", "0")
            size = int(length) if length.isdigit() else 0
            if not length.isdigit() or size > MAX_BODY:
                self._too_big = True
                # read (and drop) up to 16 MiB to answer 413; a larger body has its connection cut
                connection: Any = self.request.connection
                connection.set_max_body_size(min(16 << 20, max(MAX_BODY, size)))
        await super().prepare()

    def data_received(self, chunk: bytes) -> None:
        if len(self._body) + len(chunk) > MAX_BODY:
            self._too_big = True
        elif not self._too_big:
            self._body.extend(chunk)

    async def post(self) -> None:
        if self._too_big:
            raise BadRequest(413, f"the body is larger than {MAX_BODY:,} bytes")
        user = self.need_user()
        if not getattr(self, "_token_authenticated", False):
            raise BadRequest(403, "attempts are sent with a hub token in the Authorization header")
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise BadRequest(415, "the body must be application/json")
        attempts = validate_attempts(bytes(self._body))
        wait = self.state.rate.take(user["name"], max(1, len(attempts)))
        if wait:
            self.set_header("Retry-After", str(math.ceil(wait)))
            raise BadRequest(429, f"too many attempts from {user['name']}; retry in {math.ceil(wait)} s")
        with self.database():
            new = await asyncio.get_running_loop().run_in_executor(
                self.state.writer, self.state.storage.record, user["name"], attempts
            )
        self.state.recorded += new
        if new:
            self.state.bump()
        self.finish({"stored": new, "duplicates": len(attempts) - new})

    async def get(self) -> None:
        user = self.need_user()
        who = self.get_argument("user", user["name"])
        if who != user["name"] and not self.is_instructor:
            raise BadRequest(403, "students read only their own attempts")
        with self.database():
            rows = await asyncio.get_running_loop().run_in_executor(None, self.state.storage.of_user, who)
        self.finish({"user": who, "attempts": rows})


class SummaryHandler(_ApiBase):
    async def get(self) -> None:
        self.need_instructor()
        since = self.get_argument("since", "")
        self.state.polls += 1
        try:
            if since and since.isdigit() and int(since) >= self.state.version:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.state.changed.wait(), POLL_WAIT)
            section = self.get_argument("section", "") or None
            with self.database():
                summary = self.state.summary(self.language(), section)
            await self.finish(summary)
        finally:
            self.state.polls -= 1


class DetailApiHandler(_ApiBase):
    async def get(self) -> None:
        self.need_instructor()
        exercise = self.get_argument("exercise", "") or None
        if exercise is not None and exercise not in _ex.EXERCISES:
            raise BadRequest(400, "unknown exercise")
        with self.database():
            rows = await asyncio.get_running_loop().run_in_executor(None, self.state.storage.students, exercise)
        with using_language(self.language()):
            for row in rows:
                row["last_mistake_name"] = (
                    mistake_name(row["exercise"], row["last_mistake"]) if row["last_mistake"] else ""
                )
            self.finish({"students": rows, "labels": _labels()})


class ExportHandler(_ApiBase):
    async def get(self) -> None:
        self.need_instructor()
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="meia-class-attempts.csv"')
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["user", "exercise", "variant", "status", "mistake", "client_time", "received", "key"])
        rows = iter(self.state.storage.all_attempts())
        with self.database():  # the first row: a database that does not answer is a 503 before any byte is sent
            first = next(rows, None)
        for row in itertools.chain([first] if first is not None else [], rows):
            # a cell starting with = + - @ is read as a formula by spreadsheets: quote it
            writer.writerow([("'" + v) if isinstance(v, str) and v[:1] in "=+-@" else v for v in row.values()])
            if buffer.tell() > 1 << 16:
                self.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
                await self.flush()
        self.finish(buffer.getvalue())


class CallbackHandler(HubOAuthCallbackHandler):
    def initialize(self) -> None:
        self.hub_auth = self.settings["hub_auth"]


class HealthHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain")
        self.finish("ok")


class PageHandler(_Base):
    """The class view (and the detail view): an HTML shell; the script draws from the JSON API."""

    page = "class"

    @web.authenticated
    def get(self) -> None:
        language = self.language()
        with using_language(language):
            if not self.is_instructor:
                self.set_status(403)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(
                    _shell(
                        language,
                        _("The class at a glance"),
                        "<p class='refused'>"
                        + html.escape(_("This page is for the instructors group. Your own attempts stay yours."))
                        + "</p>",
                        script=False,
                        mode="refused",
                    )
                )
                return
            projector = self.get_argument("projector", "") in ("1", "true", "yes")
            mode = "detail" if self.page == "detail" else ("projector" if projector else "class")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            xsrf = self.xsrf_token
            self.finish(
                _shell(
                    language,
                    _("The class at a glance"),
                    "",
                    script=True,
                    mode=mode,
                    section=self.get_argument("section", ""),
                    xsrf=xsrf.decode() if isinstance(xsrf, bytes) else str(xsrf),
                )
            )


class DetailPageHandler(PageHandler):
    page = "detail"


def _shell(language: str, title: str, body: str, *, script: bool, mode: str, section: str = "", xsrf: str = "") -> str:
    """The page: everything is served by the service (no CDN); every value is escaped."""
    attrs = (
        f'data-mode="{html.escape(mode)}" data-lang="{html.escape(language)}" '
        f'data-section="{html.escape(section)}" data-xsrf="{html.escape(xsrf)}"'
    )
    scripts = '<script type="module" src="static/classview.js"></script>' if script else ""
    return (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="static/classview.css">'
        f'</head><body class="mode-{html.escape(mode)}" {attrs}><main id="app">{body}</main>{scripts}'
        f"</body></html>"
    )


class StaticHandler(web.StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")


def make_app(
    storage: Storage,
    *,
    prefix: str = "/services/meia-class/",
    cookie_secret: bytes | None = None,
    hub_auth: HubOAuth | None = None,
) -> web.Application:
    """The tornado application of the service.

    Parameters
    ----------
    storage : Storage
    prefix : str
        The service's URL prefix on the hub (``JUPYTERHUB_SERVICE_PREFIX``).
    cookie_secret : bytes, optional
        Signs the OAuth cookies (random per start when not given).
    hub_auth : HubOAuth, optional
        Configured from the hub's environment variables when not given.

    Returns
    -------
    tornado.web.Application
    """
    prefix = "/" + prefix.strip("/") + "/"
    state = ClassState(storage)
    auth = hub_auth or HubOAuth(api_token=os.environ.get("JUPYTERHUB_API_TOKEN", ""), cache_max_age=TOKEN_CACHE)
    extra = {"state": state}
    routes: list[Any] = [
        (prefix + "oauth_callback", CallbackHandler),
        (prefix + "api/attempts", AttemptsHandler, extra),
        (prefix + "api/summary", SummaryHandler, extra),
        (prefix + "api/detail", DetailApiHandler, extra),
        (prefix + "export.csv", ExportHandler, extra),
        (prefix + "health", HealthHandler),
        (prefix + "static/(.*)", StaticHandler, {"path": str(STATIC)}),
        (prefix + "detail", DetailPageHandler, extra),
        (prefix + "?", PageHandler, extra),
    ]
    app = web.Application(
        routes,
        cookie_secret=cookie_secret or os.urandom(32),
        hub_auth=auth,
        login_url=auth.login_url,
        xsrf_cookies=False,
    )
    app.settings["class_state"] = state
    return app
