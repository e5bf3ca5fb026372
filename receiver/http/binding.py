"""Where the receiver may listen: loopback or not, bind failures in words, a pre-bound socket."""

from __future__ import annotations

import errno
import ipaddress
import socket

LISTEN_BACKLOG = 512  # connections the kernel holds for the receiver until its loop serves it


class ReceiverStartError(Exception):
    """The receiver could not bind; the message says what to do."""


def bind_problem(host: str, port: int, exc: OSError) -> str:
    """What to tell a person whose receiver could not bind host:port."""
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use: pass --port N (or --port 0) or stop the other process"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"not allowed to bind port {port} on {host}: pass --port above 1023"
    return f"cannot listen on {host}:{port} ({exc.strerror or exc}): check --host"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (what the receiver may bind without warning)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen_on(host: str, port: int, backlog: int = LISTEN_BACKLOG) -> socket.socket:
    """A socket bound to host:port and listening (connections queue until it is served)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock
