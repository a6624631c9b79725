"""The JupyterHub configuration that runs the ``meia-class`` service: one call from a hub config.

In a ``jupyterhub_config.py``::

    from meia_cnn.classroom.hubconfig import apply
    apply(c, port=10101, db="sqlite:////srv/meia-class/attempts.sqlite")

It adds, without replacing what the configuration already holds:

- the managed service ``meia-class`` (``python -m meia_cnn.classroom.service``),
  proxied by the hub at ``/services/meia-class/``, allowed to put the instructor
  scope into its OAuth tokens;
- the custom scope :data:`~meia_cnn.classroom.service.app.INSTRUCTOR_SCOPE` and a
  role ``meia-class-instructors`` giving it (and access to the service) to the
  instructors group;
- access to the service for every user (the ``user`` role) and for the token of
  every single-user server (``Spawner.server_token_scopes``), so the kernels
  can send attempts;
- ``MEIA_CLASS_URL`` in the single-user servers' environment, which turns
  recording on in the kernels (:mod:`meia_cnn.classroom.client`).

:func:`hub_config` returns the same as plain data, for configurations that are
not Python (e.g. Zero to JupyterHub's ``hub.services`` and ``hub.loadRoles``).
Stdlib only: importing it needs no JupyterHub.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["SERVICE", "INSTRUCTOR_SCOPE", "hub_config", "apply"]

#: The service's name on the hub (its URL is ``/services/meia-class/``).
SERVICE = "meia-class"
#: The custom scope that opens the class view (same as the service's).
INSTRUCTOR_SCOPE = "custom:meia-class:instructor"
#: The scopes of a single-user server's token by default (the hub's ``server`` role).
SERVER_SCOPES = ["users:activity!user", "access:servers!server"]


def hub_config(
    *,
    ip: str = "127.0.0.1",
    port: int = 10101,
    db: str | None = None,
    instructors_group: str = "instructors",
    python: str | None = None,
    kernel_url: str | None = None,
    managed: bool = True,
    environment: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The hub configuration of the service as data.

    Parameters
    ----------
    ip, port : str, int
        Where the service listens (the hub proxies it).
    db : str, optional
        The database URL (``MEIA_CLASS_DB``); default SQLite in the hub's working directory.
    instructors_group : str
        The hub group whose members see the class view.
    python : str, optional
        The interpreter that runs the service (default: the hub's).
    kernel_url : str, optional
        The service's URL as single-user servers reach it; default
        ``http://{ip}:{port}/services/meia-class/`` (same machine).
    managed : bool
        True: the hub starts the service; False: it runs elsewhere (only its URL is given).
    environment : dict, optional
        More variables for the service (e.g. ``MEIA_CNN_LANG``).

    Returns
    -------
    dict
        ``services`` (list), ``load_roles`` (list), ``custom_scopes`` (dict),
        ``spawner_environment`` (dict), ``server_token_scopes`` (list).

    Examples
    --------
    >>> cfg = hub_config(port=10101)
    >>> cfg["services"][0]["name"], cfg["services"][0]["url"]
    ('meia-class', 'http://127.0.0.1:10101')
    >>> cfg["spawner_environment"]
    {'MEIA_CLASS_URL': 'http://127.0.0.1:10101/services/meia-class/'}
    >>> [role["name"] for role in cfg["load_roles"]]
    ['meia-class-instructors', 'user']
    """
    prefix = f"/services/{SERVICE}/"
    service: dict[str, Any] = {
        "name": SERVICE,
        "url": f"http://{ip}:{port}",
        "display": True,
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": [INSTRUCTOR_SCOPE],
    }
    if managed:
        env = {"MEIA_CLASS_DB": db or "sqlite:///meia-class.sqlite", **(environment or {})}
        service["command"] = [python or sys.executable, "-m", "meia_cnn.classroom.service"]
        service["environment"] = env
    access = f"access:services!service={SERVICE}"
    return {
        "services": [service],
        "load_roles": [
            {
                "name": "meia-class-instructors",
                "description": "See the class view of in-class exercises",
                "groups": [instructors_group],
                "scopes": [INSTRUCTOR_SCOPE, access],
            },
            {
                "name": "user",
                "description": "Standard user privileges, and sending exercise attempts",
                "scopes": ["self", access],
            },
        ],
        "custom_scopes": {INSTRUCTOR_SCOPE: {"description": "See every student's attempts in the class view"}},
        "spawner_environment": {"MEIA_CLASS_URL": kernel_url or f"http://{ip}:{port}{prefix}"},
        "server_token_scopes": [*SERVER_SCOPES, access],
        "groups": {instructors_group: []},
    }


def apply(c: Any, **options: Any) -> dict[str, Any]:
    """Add the service to a JupyterHub configuration object ``c`` (keeps what is there).

    Parameters
    ----------
    c : traitlets.config.Config
        The ``c`` of a ``jupyterhub_config.py``.
    **options
        As for :func:`hub_config`.

    Returns
    -------
    dict
        What was added (:func:`hub_config`).
    """
    cfg = hub_config(**options)
    hub, spawner = c.JupyterHub, c.Spawner
    c.JupyterHub.services = [s for s in _get(hub, "services", []) if s.get("name") != SERVICE] + cfg["services"]
    roles = [dict(r) for r in _get(hub, "load_roles", [])]
    for role in cfg["load_roles"]:
        same = next((r for r in roles if r.get("name") == role["name"]), None)
        if same is not None and role["name"].startswith(SERVICE):
            roles.remove(same)  # our own role, applied again: replaced
            same = None
        if same is None:
            roles.append(role)
        else:  # e.g. the configuration's own "user" role: add ours to it
            same["scopes"] = sorted(set(same.get("scopes", [])) | set(role["scopes"]))
            for kind in ("groups", "users"):
                if role.get(kind):
                    same[kind] = sorted(set(same.get(kind, [])) | set(role[kind]))
    c.JupyterHub.load_roles = roles
    c.JupyterHub.custom_scopes = {**_get(hub, "custom_scopes", {}), **cfg["custom_scopes"]}
    groups = dict(_get(hub, "load_groups", {}))
    for name in cfg["groups"]:
        groups.setdefault(name, [])
    c.JupyterHub.load_groups = groups
    c.Spawner.environment = {**_get(spawner, "environment", {}), **cfg["spawner_environment"]}
    c.Spawner.server_token_scopes = sorted(
        set(_get(spawner, "server_token_scopes", [])) | set(cfg["server_token_scopes"])
    )
    return cfg


def _get(section: Any, name: str, default: Any) -> Any:
    """A configured value of a traitlets config section, or ``default`` when it is not set."""
    return section[name] if name in section and not callable(section[name]) else default
