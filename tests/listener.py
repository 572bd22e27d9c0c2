"""A local TCP listener that counts the connections made to it (to prove none was made)."""

from __future__ import annotations

import socket
import threading


class Listener:
    """Listens on 127.0.0.1 on a free port; accepts and closes each connection at once, so a
    client's request fails fast. A connection is counted before it is closed: once the client
    has seen the failure, ``connections`` holds it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.sock.close()
