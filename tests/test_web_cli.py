"""``govinspect web`` serves the dashboard with uvicorn on the given host and port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_web_support import PASSWORD, csrf_of, seed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_web_command_serves_the_dashboard(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    seed(db)
    port = free_port()
    env_file = tmp_path / "govinspect.toml"
    env_file.write_text(f'[web]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "govinspect.cli", "web", "--host", "127.0.0.1", "--port", str(port),
         "--db", db, "--config", str(env_file)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "govinspect web did not start"
            time.sleep(0.1)
        with httpx.Client(base_url=base, trust_env=False) as c:
            token = csrf_of(c.get("/login").text)
            r = c.post("/login", data={"username": "zj", "password": PASSWORD, "csrf_token": token})
            assert r.status_code == 303
            assert "2021q2" in c.get("/runs").text
        key_file = tmp_path / "data" / "web-secret.key"
        assert key_file.stat().st_mode & 0o077 == 0  # the session key is readable by its owner only
    finally:
        proc.terminate()
        proc.wait(30)
