"""Production settings demand their secrets and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "p" * 20 + "roduction-secret-key-that-is-long-and-random-0123",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "ID_HASH_KEY": "production-id-hash-key-0123456789",
    "ALLOWED_HOSTS": "ankang.example.org",
    "DATABASE_URL": "postgres://root@127.0.0.1:5432/ankang",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "SMS_BACKEND": "http",
    "SMS_HTTP_URL": "https://sms.example.org/send",
    "SMS_HTTP_SECRET": "a-shared-secret-of-the-gateway",
}


# Set in this process by the test settings; production must not inherit them.
TEST_ONLY_ENV = ["DJANGO_ALLOW_ASYNC_UNSAFE", "STAFF_TWO_FACTOR_REQUIRED"]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in env}
    for name in [*PRODUCTION_ENV, *TEST_ONLY_ENV]:
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ID_HASH_KEY", "ALLOWED_HOSTS"]
)
def test_production_refuses_to_start_without_a_required_secret(missing: str) -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert f"Set the environment variable {missing}" in result.stderr


def test_a_malformed_encryption_key_is_named_at_start_up() -> None:
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEY": "not-a-fernet-key"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be comma-separated Fernet keys" in result.stderr


def test_a_malformed_boolean_is_named_at_start_up() -> None:
    env = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "perhaps"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr


def test_an_unknown_sms_backend_is_named_at_start_up() -> None:
    env = {**PRODUCTION_ENV, "SMS_BACKEND": "carrier-pigeon"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SMS_BACKEND must be one of" in result.stderr


@pytest.mark.parametrize("backend", ["console", "file", "locmem"])
def test_production_refuses_an_sms_backend_that_keeps_codes_in_logs_or_files(
    backend: str,
) -> None:
    env = {**PRODUCTION_ENV, "SMS_BACKEND": backend}

    checked = run_manage("check", env=env)
    deploy = run_manage("check", "--deploy", env=env)

    assert checked.returncode != 0
    assert "notifications.E002" in checked.stderr
    assert deploy.returncode != 0


def test_a_short_secret_key_is_refused_in_production() -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": "short"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50" in result.stderr


def test_production_requires_staff_two_factor_sign_in_by_default() -> None:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.STAFF_TWO_FACTOR_REQUIRED, s.STAFF_SESSION_IDLE_MINUTES)",
        env=PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "30"]


def test_check_deploy_warns_when_staff_two_factor_is_turned_off() -> None:
    env = {**PRODUCTION_ENV, "STAFF_TWO_FACTOR_REQUIRED": "false"}

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "accounts.W001" in result.stderr + result.stdout


def test_a_malformed_idle_timeout_is_named_at_start_up() -> None:
    env = {**PRODUCTION_ENV, "STAFF_SESSION_IDLE_MINUTES": "half an hour"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "STAFF_SESSION_IDLE_MINUTES must be a whole number" in result.stderr
