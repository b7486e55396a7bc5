"""Settings come from the environment; bad values stop start-up with the variable's name."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "PORTAL_MODE": "production",
    "SECRET_KEY": "k3y-for-tests-only-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a",
    "ALLOWED_HOSTS": "portal.example.nhs.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pbc_portal_deploy_check",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # Start from the machine's environment without anything that configures the portal or
    # weakens Django's checks (DJANGO_ALLOW_ASYNC_UNSAFE is a deploy-check warning).
    ignored = {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "EMAIL_URL", "PORTAL_MODE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean.update(env)
    clean["PORTAL_KEY_DIR"] = str(ROOT / "var" / "test-keys")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/portal"),
        ("DATABASE_URL", "postgres://"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "redis://127.0.0.1:6379/zero"),
        ("ELASTICSEARCH_URL", "elastic.local:9200"),
        ("EMAIL_URL", "smtp://:25"),
        ("DEBUG", "maybe"),
        ("PORTAL_MODE", "staging"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(variable, value):
    result = run_manage("check", env={variable: value})
    assert result.returncode != 0
    assert f"Environment variable {variable}" in result.stderr


def test_production_without_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "Environment variable SECRET_KEY is required" in result.stderr


def test_production_refuses_wildcard_allowed_hosts():
    result = run_manage("check", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "Environment variable ALLOWED_HOSTS must name the hosts" in result.stderr


def test_production_refuses_sqlite():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "Environment variable DATABASE_URL must point at PostgreSQL" in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_embedded_mode_needs_no_variables():
    result = run_manage("check", env={})
    assert result.returncode == 0, result.stderr


def test_email_url_selects_smtp_with_tls():
    from portal.core.env import email_config

    os.environ["PBC_TEST_EMAIL_URL"] = "smtp+tls://portal%40nhs.net:p%40ss@smtp.example.nhs.uk:587"
    try:
        config = email_config("PBC_TEST_EMAIL_URL")
    finally:
        del os.environ["PBC_TEST_EMAIL_URL"]
    assert config["EMAIL_HOST"] == "smtp.example.nhs.uk"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_HOST_USER"] == "portal@nhs.net"
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss"


def test_production_pools_database_connections_instead_of_keeping_one_per_thread():
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'])"
    result = run_manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "10"]
