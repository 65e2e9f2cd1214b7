"""`redline serve` announces its URL only once it answers there, and a port already taken is
one line and exit code 2."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_port_is_one_line_and_exit_2(run_cli, example_db):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run_cli("serve", "--port", port, "--db", example_db)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (f"error: port {port} on 127.0.0.1 is taken (another server listens there): "
                                      "choose another with --port")


def test_the_url_is_printed_once_the_app_answers(example_db):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "redline", "serve", "--db", str(example_db), "--port", str(port),
                               "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(server.stdout.readline, "")), daemon=True)
    try:
        reader.start()
        deadline = time.monotonic() + 180
        while not lines and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.05)
        assert lines, f"no URL announced; stderr: {server.stderr.read() if server.poll() is not None else ''}"
        url = f"http://127.0.0.1:{port}/"
        assert lines[0].startswith(f"Redline on {url} "), lines
        # Announced means answering: the very first request after the line is served.
        with urllib.request.urlopen(url + "api/articles?limit=1", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(30)
