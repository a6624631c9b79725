"""What a Jupyter server serving the kit needs: kernel messages sent without Nagle's delay.

Every control an explorer sends to Python is a small message on the kernel's
websocket, and its answer a small message back.  Tornado's
``WebSocketHandler`` leaves Nagle's algorithm on (``TCP_NODELAY`` unset) and
jupyter_server's kernel websocket does not change it, so a reply written in
pieces waits for the peer's delayed acknowledgement: through JupyterHub's
proxy every round trip took at least ~45 ms.
:class:`NoDelayKernelWebsocketConnection` is jupyter_server's own connection
with ``set_nodelay(True)`` on the websocket when it opens; the kit installs
``{sys.prefix}/etc/jupyter/jupyter_server_config.d/meia-cnn.json``, which
selects it through the server's own setting::

    {"ServerApp": {"kernel_websocket_connection_class":
                   "meia_cnn.serving.NoDelayKernelWebsocketConnection"}}

(The proper place upstream is ``KernelWebsocketHandler.open`` in
jupyter_server: ``self.set_nodelay(True)``.)  This module imports
jupyter_server; the kit's core never imports it.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelWebsocketConnection"]


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection with ``TCP_NODELAY`` set on its socket."""

    def connect(self) -> Any:
        """Turn Nagle's algorithm off for this websocket, then connect as jupyter_server does."""
        self.websocket_handler.set_nodelay(True)
        return super().connect()
