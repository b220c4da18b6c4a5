"""A test guard: no connection and no name lookup leaves this machine.

The guard records every attempt as well as refusing it, so a test fails even where a library
catches the error and carries on (argostranslate retries downloads and logs failures).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager


class NetworkAttempt(AssertionError):
    """A test tried to reach something other than this machine."""


def _loopback(host: object) -> bool:
    if host is None or host in ("localhost", b"localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host).is_loopback
    except (ValueError, AttributeError):
        return False


@contextmanager
def loopback_only() -> Iterator[list[object]]:
    """Refuse, and record, every connection or name lookup that leaves this machine."""
    attempts: list[object] = []
    real = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)

    def check(address: object) -> None:
        if isinstance(address, str | bytes):  # a Unix socket
            return
        host = address[0] if isinstance(address, tuple) else address
        if not _loopback(host):
            attempts.append(address)
            raise NetworkAttempt(f"tried to reach {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        check(address)
        return real[0](self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        check(address)
        return real[1](self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        check((host,))
        return real[2](host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = real  # type: ignore[method-assign]
