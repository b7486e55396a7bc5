"""``manage.py start`` explains itself: a busy port is refused at once, every option is described, a reset asks."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, data_dir: Path, environment: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``manage.py`` in the embedded mode on a data folder of the test's own (no services, no variables)."""
    variables = {key: value for key, value in os.environ.items()
                 if key not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "PORTAL_MODE"}}
    variables |= {"PORTAL_DATA_DIR": str(data_dir), **(environment or {})}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=variables, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_start_on_a_busy_port_exits_at_once_naming_the_port_option(tmp_path, busy_port):
    result = run_manage("start", "--port", str(busy_port), data_dir=tmp_path)

    assert result.returncode != 0
    assert "--port" in result.stderr, result.stderr


def test_start_on_a_busy_port_migrates_and_builds_nothing(tmp_path, busy_port):
    run_manage("start", "--port", str(busy_port), data_dir=tmp_path)

    assert not (tmp_path / "portal.sqlite3").exists()


def test_every_start_option_is_described_in_its_help():
    parser = load_command_class("portal", "start").create_parser("manage.py", "start")
    own = [action for action in parser._actions if action.dest in {"host", "port", "no_demo", "reset", "yes"}]

    assert len(own) == 5
    assert all(action.help for action in own), [action.dest for action in own if not action.help]


def test_reset_without_a_terminal_deletes_nothing(tmp_path):
    (tmp_path / "portal.sqlite3").write_text("the member's data")
    result = run_manage("start", "--reset", "--port", str(free_port()), data_dir=tmp_path)

    assert result.returncode != 0
    assert "--yes" in result.stderr
    assert (tmp_path / "portal.sqlite3").read_text() == "the member's data"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_reset_refuses_when_the_database_is_a_server(tmp_path):
    result = run_manage("start", "--reset", "--yes", "--port", str(free_port()), data_dir=tmp_path,
                        environment={"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"})

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
