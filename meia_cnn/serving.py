"""What a Jupyter server serving the kit needs: kernel messages sent without Nagle's delay.

Every control an explorer sends to Python is a small message on the kernel's
websocket, and its answer a small message back.  Tornado's
``WebSocketHandler`` leaves Nagle's algorithm on (``TCP_NODELAY`` unset) and
jupyter_server's kernel websocket does not change it, so a reply written in
pieces waits for the peer's delayed acknowledgement: through JupyterHub's
proxy every round trip took at least ~45 ms.
:class:`NoDelayKernelWebsocketConnection` is jupyter_server's own connection
with ``set_nodelay(True)`` on the websocket when it opens.  This module is a
server extension that puts it in place of jupyter_server's default
connection; the kit enables it with
``{sys.prefix}/etc/jupyter/jupyter_server_config.d/meia-cnn.json``::

    {"ServerApp": {"jpserver_extensions": {"meia_cnn.serving": true}}}

(Only extensions are read from ``jupyter_server_config.d``, so the server's
own ``kernel_websocket_connection_class`` setting cannot be shipped there.
The proper fix upstream is one line in jupyter_server's
``KernelWebsocketHandler.open``: ``self.set_nodelay(True)``.)  This module
imports jupyter_server; the kit's core never imports it.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelWebsocketConnection"]

SETTING = "kernel_websocket_connection_class"


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection with ``TCP_NODELAY`` set on its socket."""

    def connect(self) -> Any:
        """Turn Nagle's algorithm off for this websocket, then connect as jupyter_server does."""
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "meia_cnn.serving"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Use :class:`NoDelayKernelWebsocketConnection` where the server would use jupyter_server's default.

    A server configured with another connection class (a kernel gateway's) keeps it.
    """
    current = serverapp.web_app.settings.get(SETTING)
    if current is ZMQChannelsWebsocketConnection:
        serverapp.web_app.settings[SETTING] = NoDelayKernelWebsocketConnection
        serverapp.log.info("meia_cnn.serving: kernel websockets are sent with TCP_NODELAY")
