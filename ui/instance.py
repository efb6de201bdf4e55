"""One window per book: a second start hands over to the first one and leaves.

The book lock (models.lock) decides who owns a book; this local socket only lets a
later start ask the owner to come to the front, so double-clicking the launcher
twice raises the existing window instead of refusing with an error.

QtNetwork is imported only where the socket is used: the owner starts listening
after its first paint (ui/gui.py), and a later start asks only when the book's lock
is held. A later start that finds the lock held but nobody listening yet (the owner
is still opening) keeps asking until the timeout.
"""

from __future__ import annotations

import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    from models.lock import BookLock

ACTIVATE = b"activate\n"
ACK = b"ok\n"
DEFAULT_TIMEOUT_MS = 3000
# How often a later start asks again while the owner is not listening yet.
RETRY_S = 0.05
# A window answers within a second or two of taking its book's lock (after its
# first paint); a holder silent for longer is the command line, refused at once.
OWNER_OPENING_S = 10.0


def owner_may_be_opening(lock: BookLock) -> bool:
    """Whether the holder of ``lock`` took it so lately that it may be a window
    still on its way to answering (so a later start keeps asking a moment)."""
    taken = lock.taken_seconds_ago()
    return taken is None or taken < OWNER_OPENING_S


def server_name(book_path: Path) -> str:
    """A socket name per book, short enough for every OS's socket path limit.

    hashlib is imported here, not at start-up: it loads OpenSSL (some 3 ms), and the
    owner names its socket only when it starts listening, after the first paint."""
    import hashlib

    digest = hashlib.sha1(str(Path(book_path).expanduser().resolve()).encode("utf-8"))
    return "rapport-" + digest.hexdigest()[:16]


class SingleInstance(QObject):
    """The owner's side: listens for later starts and says when one asked to be seen."""

    activated = Signal()

    def __init__(self, book_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book_path = Path(book_path)
        self._server: QLocalServer | None = None
        self._sockets: set[QLocalSocket] = set()

    @cached_property
    def name(self) -> str:
        """The socket's name, worked out when first needed (``listen``)."""
        return server_name(self.book_path)

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def listen(self) -> bool:
        """Start answering; only call this while holding the book's lock.

        Holding the lock proves no live owner uses the name, so a socket file left
        by a crash can be removed safely first.
        """
        if self.listening:
            return True
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        # Only this user may ask us to do anything.
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_new_connection)
        if not server.listen(self.name):
            server.deleteLater()
            return False
        self._server = server
        return True

    def close(self) -> None:
        for sock in list(self._sockets):
            self._drop(sock)
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    # Slots are bound methods, never lambdas: Qt then drops the connections as soon
    # as this object dies, before its children (the server, its sockets) go, so a
    # socket closing during teardown can never call back into a dead object.

    def _on_new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._sockets.add(sock)
            sock.readyRead.connect(self._on_ready_read)
            sock.disconnected.connect(self._on_disconnected)
            if sock.bytesAvailable():
                self._read(sock)

    def _on_ready_read(self) -> None:
        from PySide6.QtNetwork import QLocalSocket

        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._read(sock)

    def _on_disconnected(self) -> None:
        from PySide6.QtNetwork import QLocalSocket

        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._drop(sock)

    def _drop(self, sock: QLocalSocket) -> None:
        self._sockets.discard(sock)
        sock.blockSignals(True)
        sock.abort()
        sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        while sock.canReadLine():
            line = bytes(sock.readLine().data())
            if line == ACTIVATE:
                sock.write(ACK)
                sock.flush()
                self.activated.emit()
        # Whatever else a stranger sends is ignored; a line cannot grow without end.
        if sock.bytesAvailable() > 1024:
            self._drop(sock)

    @staticmethod
    def notify_running(
        book_path: Path, timeout_ms: int = DEFAULT_TIMEOUT_MS, *, owner_opening: bool = True
    ) -> bool:
        """Ask the owner of ``book_path`` to come to the front.

        True once the request is on its way (an owner busy for a moment will still
        act on it); False when nobody listens within ``timeout_ms``, e.g. the command
        line holds the book. An owner still opening the book listens a moment later
        (after its first paint): until the timeout, a missing server is asked again,
        unless ``owner_opening`` is False (the lock was taken long ago, so a silent
        holder is not a window about to answer): then a missing server is a no at once.
        """
        from PySide6.QtNetwork import QLocalSocket

        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            sock = QLocalSocket()
            sock.connectToServer(server_name(book_path))
            if sock.waitForConnected(timeout_ms):
                break
            sock.abort()
            if not owner_opening or time.monotonic() + RETRY_S >= deadline:
                return False
            time.sleep(RETRY_S)
        sock.write(ACTIVATE)
        if not sock.waitForBytesWritten(timeout_ms) and sock.bytesToWrite():
            sock.abort()
            return False
        # The ack only tells us the owner is alive; waiting for it keeps the
        # connection open long enough for the request to be read.
        sock.waitForReadyRead(timeout_ms)
        sock.disconnectFromServer()
        if sock.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            sock.waitForDisconnected(500)
        return True
