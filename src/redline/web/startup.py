"""`redline serve` starting up: a port already taken is one error before anything starts, and
the URL is announced only once the app answers on it (workers take seconds to load)."""

from __future__ import annotations

import errno
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Callable

WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (as uvicorn would bind it), or None when it can."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        return f"cannot listen on {host}: {err.strerror}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is taken (another server listens there): choose another with --port"
            return f"cannot listen on {host}:{port} ({err.strerror})"
    return None


def local_url(host: str, port: int) -> str:
    """The URL this machine reaches a server listening on `host` at."""
    host = WILDCARDS.get(host, host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a web server answers HTTP at `url` (any status counts: it is accepting requests)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):  # noqa: S310 - our own server
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def announce_when_ready(url: str, announce: Callable[[], None], every: float = 0.2) -> threading.Thread:
    """Call `announce` once `url` answers, from a daemon thread (it dies with the server)."""

    def wait() -> None:
        while not answers(url):
            time.sleep(every)
        announce()

    thread = threading.Thread(target=wait, name="redline-announce", daemon=True)
    thread.start()
    return thread
