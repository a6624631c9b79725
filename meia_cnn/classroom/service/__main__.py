"""``python -m meia_cnn.classroom.service``: run the class view service.

Reads what the hub gives a managed service: ``JUPYTERHUB_SERVICE_URL`` (where to
listen), ``JUPYTERHUB_SERVICE_PREFIX`` and the OAuth variables; and its own:
``MEIA_CLASS_DB`` (a database URL; default ``sqlite:///meia-class.sqlite`` in the
working directory) and ``MEIA_CLASS_COOKIE_SECRET_FILE`` (keeps browsers logged
in across restarts).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from .storage import Storage

__all__ = ["main"]

DEFAULT_DB = "sqlite:///meia-class.sqlite"


def _cookie_secret() -> bytes | None:
    path = os.environ.get("MEIA_CLASS_COOKIE_SECRET_FILE")
    if not path:
        return None
    file = Path(path)
    if not file.exists():
        file.write_bytes(os.urandom(32).hex().encode())
        file.chmod(0o600)
    return file.read_bytes().strip()


async def _open_storage(url: str, stop: asyncio.Event) -> Storage | None:
    """The storage, once its database answers; None when asked to stop first.

    A PostgreSQL server may be restarting when the hub starts the service again: the service waits
    for it (trying again after 0.5, 1, 2 ... 10 s) instead of exiting, which would leave the kernels
    without a service until the hub's next poll.  An SQLite file that cannot be opened is an error
    at once (waiting does not make it appear).
    """
    from sqlalchemy import exc as db_errors

    from .storage import Storage

    log = logging.getLogger("meia_class")
    delay = 0.5
    while not stop.is_set():
        try:
            return await asyncio.get_running_loop().run_in_executor(None, Storage, url)
        except (db_errors.OperationalError, db_errors.InterfaceError) as exc:
            if url.startswith("sqlite"):
                raise
            log.warning(
                "the database does not answer (%s); trying again in %.1f s", str(exc.orig or exc).splitlines()[0], delay
            )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(10.0, 2 * delay)
    return None


async def _serve(args: argparse.Namespace) -> None:
    from tornado.httpserver import HTTPServer

    from .app import make_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    storage = await _open_storage(args.db, stop)
    if storage is None:
        return
    app = make_app(storage, prefix=args.prefix, cookie_secret=_cookie_secret())
    server = HTTPServer(app, max_body_size=1 << 20, xheaders=True)
    server.listen(args.port, args.ip)
    logging.getLogger("meia_class").info(
        "meia-class on http://%s:%s%s (database %s)",
        args.ip,
        args.port,
        args.prefix,
        storage.engine.url.render_as_string(hide_password=True),
    )
    await stop.wait()
    server.stop()
    await app.settings["class_state"].release_waiters()  # the class views' long polls end now, not in 20 s
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(server.close_all_connections(), 5)
    storage.close()


def main(argv: list[str] | None = None) -> None:
    """Parse the options (defaults from the hub's environment) and serve until SIGTERM."""
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    parser = argparse.ArgumentParser(
        prog="python -m meia_cnn.classroom.service",
        description="The class view service of meia-cnn (run by JupyterHub).",
    )
    parser.add_argument(
        "--ip", default=url.hostname or "127.0.0.1", help="address to listen on (default: from JUPYTERHUB_SERVICE_URL)"
    )
    parser.add_argument(
        "--port", type=int, default=url.port or 10101, help="port to listen on (default: from JUPYTERHUB_SERVICE_URL)"
    )
    parser.add_argument(
        "--prefix",
        default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/meia-class/"),
        help="URL prefix (default: JUPYTERHUB_SERVICE_PREFIX)",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("MEIA_CLASS_DB", DEFAULT_DB),
        help=f"database URL, SQLite or PostgreSQL (default: MEIA_CLASS_DB, else {DEFAULT_DB})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="[%(levelname)1.1s %(asctime)s %(name)s] %(message)s", stream=sys.stderr
    )
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
