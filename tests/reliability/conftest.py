"""Private servers for fault tests: never stop the shared PostgreSQL or Redis, start our own and stop those."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest



def _postgres_bin() -> Path:
    """The newest PostgreSQL server installed from Debian's packages (``apt-get install postgresql``)."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return installed[-1].parent if installed else Path("/usr/lib/postgresql/missing/bin")


PG_BIN = _postgres_bin()


def _skip_or_fail(message: str) -> None:
    """Skip where a developer lacks a server, but never in CI, whose .ci/services installs both."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: .ci/services should have installed it)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing started listening on port {port}")


class PrivateRedis:
    """A redis-server of our own on a free port, which a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        _skip_or_fail("redis-server is not installed: apt-get install -y redis-server")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary folder, which a test may restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "60", *args],
            check=True, capture_output=True, **self._as_postgres(),
        )

    def _as_postgres(self) -> dict:
        # initdb and postgres refuse to run as root: run them as the postgres account when we are root.
        if os.geteuid() != 0:
            return {}
        import pwd

        account = pwd.getpwnam("postgres")
        shutil.chown(self.folder, account.pw_uid, account.pw_gid)
        return {"user": account.pw_uid, "group": account.pw_gid}

    def init(self) -> None:
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, **self._as_postgres(),
        )

    def start(self) -> None:
        self._ctl("-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "restart")

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        _skip_or_fail("PostgreSQL's server is not installed: apt-get install -y postgresql")
    # Not under pytest's tmp folder: that is private to us, and the server may run as another account.
    folder = Path(tempfile.mkdtemp(prefix="pbc-reliability-pg-"))
    server = PrivatePostgres(folder)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
