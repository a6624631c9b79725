"""The class at a glance: in-class exercise attempts seen live by the instructor, on JupyterHub.

Two halves.  :mod:`meia_cnn.classroom.client` runs in a student's kernel: when
the kit runs in a single-user server of a hub where the ``meia-class`` service
is configured, each checked answer (exercise id, variant, correct or not, the
known mistake it matched, time) is queued and sent in the background.  Off the
hub it does nothing.  :mod:`meia_cnn.classroom.service` is the hub service
(tornado, JupyterHub OAuth, SQLAlchemy storage) that stores the attempts and
shows them to an instructors group; :mod:`meia_cnn.classroom.hubconfig` gives
the JupyterHub configuration that runs it.

Only the client is imported here: it needs the standard library alone.
"""

from __future__ import annotations

from .client import enabled, flush, opt_in, opt_out, record, record_feedback

__all__ = ["enabled", "flush", "opt_in", "opt_out", "record", "record_feedback"]
