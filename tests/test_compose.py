"""The production deployment: docker-compose.yml, the Dockerfile and .env.example.

These read the files as text and YAML; they need neither Docker nor a database.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

DJANGO_SERVICES = ("migrate", "web", "worker", "worker-messages", "beat")
LONG_RUNNING_DJANGO_SERVICES = ("web", "worker", "worker-messages", "beat")
REQUIRED_PRODUCTION_SECRETS = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "ID_HASH_KEY",
    "ALLOWED_HOSTS",
)
SECRETS_THAT_MUST_SHIP_BLANK = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "ID_HASH_KEY",
    "POSTGRES_PASSWORD",
)
EVERY_SETTING_THE_PROJECT_READS = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DATABASE_URL",
    "POSTGRES_PASSWORD",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "FIELD_ENCRYPTION_KEY",
    "ID_HASH_KEY",
    "TIME_ZONE",
    "SMS_BACKEND",
    "SMS_FILE_PATH",
    "OTP_LIMIT_PER_PHONE_MINUTE",
    "OTP_LIMIT_PER_PHONE_HOUR",
    "OTP_LIMIT_PER_PHONE_DAY",
    "OTP_LIMIT_PER_IP_HOUR",
    "OUTBOX_BATCH_SIZE",
    "OUTBOX_RECLAIM_AFTER_SECONDS",
    "WEB_CONCURRENCY",
    "LOG_LEVEL",
    "PORT",
    "DEMO_PASSWORD",
    "STAFF_PASSWORD",
)

# Every env_str("NAME"…), env_int("NAME"…) and so on in the settings modules.
SETTINGS_READ = re.compile(r'env_[a-z]+\(\s*"(?P<name>[A-Z][A-Z0-9_]*)"')

# "NAME=value", or "# NAME=value" for an optional variable left at its default.
ENV_LINE = re.compile(r"^(?P<optional>#\s?)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
# Compose interpolation: $NAME, ${NAME}, ${NAME:-default}, ${NAME:?error}; "$$" is a
# literal dollar sign.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{?(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def env_lines() -> list[str]:
    return ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def env_example(env_lines: list[str]) -> dict[str, str]:
    """Every variable .env.example lists, optional ones included, with its value."""
    found = (ENV_LINE.match(line) for line in env_lines)
    return {match["name"]: match["value"] for match in found if match}


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def test_beat_runs_exactly_once(services: dict[str, Any]) -> None:
    beat = services["beat"]
    runs_beat = [
        name
        for name, service in services.items()
        if re.search(r"\bbeat\b|\s-B\b|--beat\b", str(service.get("command", "")))
    ]

    assert beat["command"].startswith("celery -A config.celery_app beat")
    assert "--schedule /tmp/celerybeat-schedule" in beat["command"]
    assert beat["deploy"]["replicas"] == 1
    assert runs_beat == ["beat"]


def test_web_worker_and_beat_share_one_service_definition(
    services: dict[str, Any],
) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    first = services["web"]

    assert "x-django: &django" in text
    assert text.count("<<: *django") == len(DJANGO_SERVICES)
    for name in DJANGO_SERVICES:
        assert services[name]["build"] == first["build"], name
        assert services[name]["image"] == first["image"], name
        assert services[name]["env_file"] == first["env_file"] == ".env", name
        assert services[name]["environment"] == first["environment"], name


def test_django_services_use_production_settings_and_the_compose_db_and_redis(
    services: dict[str, Any],
) -> None:
    for name in DJANGO_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["DATABASE_URL"] == (
            "postgres://ankang:${POSTGRES_PASSWORD}@pgbouncer:6432/ankang"
        )
        assert environment["DATABASE_POOLER"] == "pgbouncer"
        assert environment["REPORTS_DATABASE_URL"] == (
            "postgres://ankang:${POSTGRES_PASSWORD}@db-replica:5432/ankang"
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_web_runs_gunicorn_with_workers_from_web_concurrency(
    services: dict[str, Any],
) -> None:
    command = services["web"]["command"]

    assert command.startswith("gunicorn config.wsgi:application")
    assert "--bind 0.0.0.0:8000" in command
    assert "--workers ${WEB_CONCURRENCY:-3}" in command


def test_the_web_port_is_published_on_loopback_only_for_the_proxy_in_front(
    services: dict[str, Any], env_example: dict[str, str]
) -> None:
    # Reachable around the proxy, anyone could write their own X-Forwarded-For.
    assert services["web"]["ports"] == ["127.0.0.1:8000-8001:8000"]
    assert env_example["TRUSTED_PROXY_HOPS"] == "1"


def test_web_healthcheck_asks_healthz_with_python_because_slim_has_no_curl(
    services: dict[str, Any],
) -> None:
    test = services["web"]["healthcheck"]["test"]

    assert test[:3] == ["CMD", "python", "-c"]
    assert "urllib.request" in test[3]
    assert "/healthz" in test[3]
    assert "curl" not in str(test)


def test_workers_run_celery_with_two_processes_each_on_its_own_queue(
    services: dict[str, Any],
) -> None:
    assert services["worker"]["command"] == (
        "celery -A config.celery_app worker -l info --concurrency 2 -Q celery"
    )
    assert services["worker-messages"]["command"] == (
        "celery -A config.celery_app worker -l info --concurrency 2 -Q messages"
    )


def test_two_web_groups_and_two_message_workers_beside_one_beat(
    services: dict[str, Any],
) -> None:
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["worker-messages"]["deploy"]["replicas"] == 2
    assert services["beat"]["deploy"]["replicas"] == 1


def test_the_queues_the_workers_take_are_the_queues_tasks_are_routed_to(
    services: dict[str, Any],
) -> None:
    from django.conf import settings

    taken = {
        services[name]["command"].rsplit("-Q ", 1)[1]
        for name in ("worker", "worker-messages")
    }
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

    assert taken == set(settings.CELERY_TASK_QUEUES)
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} == taken


def test_pgbouncer_is_debian_s_in_transaction_mode_in_front_of_db(
    services: dict[str, Any],
) -> None:
    pgbouncer = services["pgbouncer"]
    dockerfile = (ROOT / pgbouncer["build"]["context"] / "Dockerfile").read_text()
    ini = (ROOT / pgbouncer["build"]["context"] / "pgbouncer.ini").read_text()

    assert dockerfile.splitlines()[2] == "FROM debian:bookworm-slim"
    assert "apt-get install -y --no-install-recommends pgbouncer" in dockerfile
    assert "pool_mode = transaction" in ini
    assert "ankang = host=db port=5432 dbname=ankang" in ini
    assert "listen_port = 6432" in ini
    assert pgbouncer["depends_on"]["db"] == {"condition": "service_healthy"}


def test_the_reports_replica_streams_from_db_by_a_base_backup(
    services: dict[str, Any],
) -> None:
    replica = services["db-replica"]
    command = " ".join(replica["command"])
    allow = services["db"]["volumes"][1].split(":")[0]

    assert replica["image"] == services["db"]["image"] == "postgres:15"
    assert "pg_basebackup -h db -U ankang" in command
    assert "-R -X stream" in command
    assert "hot_standby=on" in command
    assert "host replication ankang" in (ROOT / allow).read_text()


def test_migrate_runs_once_and_is_never_restarted(services: dict[str, Any]) -> None:
    migrate = services["migrate"]

    assert migrate["command"] == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert "migrate" not in migrate["depends_on"]


def test_django_services_start_after_migrations_and_healthy_db_and_redis(
    services: dict[str, Any],
) -> None:
    for name in DJANGO_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["db"] == {"condition": "service_healthy"}, name
        assert depends_on["redis"] == {"condition": "service_healthy"}, name
    for name in LONG_RUNNING_DJANGO_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_db_and_redis_have_healthchecks_and_volumes(compose: dict[str, Any]) -> None:
    db = compose["services"]["db"]
    redis = compose["services"]["redis"]

    assert db["image"] == "postgres:15"
    assert db["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert "postgres_data:/var/lib/postgresql/data" in db["volumes"]
    assert redis["image"] == "redis:7"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "redis_data:/data" in redis["volumes"]
    assert set(compose["volumes"]) == {"postgres_data", "replica_data", "redis_data"}


def test_redis_is_append_only_and_never_evicts(services: dict[str, Any]) -> None:
    command = services["redis"]["command"]

    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command


def test_every_variable_the_compose_file_uses_is_in_env_example(
    env_example: dict[str, str],
) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = {match["name"] for match in COMPOSE_VARIABLE.finditer(text)}

    assert used  # the scan itself works: POSTGRES_PASSWORD and WEB_CONCURRENCY
    assert used - set(env_example) == set()


def test_env_example_lists_every_required_production_secret(
    env_lines: list[str],
) -> None:
    required = {
        match["name"]
        for match in (ENV_LINE.match(line) for line in env_lines)
        if match and not match["optional"]
    }

    assert set(REQUIRED_PRODUCTION_SECRETS) <= required


def test_env_example_ships_no_secret_values(env_example: dict[str, str]) -> None:
    for name in SECRETS_THAT_MUST_SHIP_BLANK:
        assert env_example[name] == "", name


def test_env_example_lists_every_setting_the_project_reads(
    env_example: dict[str, str],
) -> None:
    read_by_settings = {
        match["name"]
        for path in (ROOT / "config" / "settings").glob("*.py")
        for match in SETTINGS_READ.finditer(path.read_text(encoding="utf-8"))
    }

    wanted = read_by_settings | set(EVERY_SETTING_THE_PROJECT_READS)

    assert wanted - set(env_example) == set()


def test_env_example_lists_each_variable_once(env_lines: list[str]) -> None:
    names = [match["name"] for line in env_lines if (match := ENV_LINE.match(line))]

    assert len(names) == len(set(names))


def test_every_variable_in_env_example_has_a_comment(env_lines: list[str]) -> None:
    uncommented = [
        match["name"]
        for previous, line in zip(["", *env_lines], env_lines, strict=False)
        if (match := ENV_LINE.match(line)) and not previous.startswith("#")
    ]

    assert uncommented == []


def test_image_is_python_3_11_slim_and_runs_as_a_non_root_user(
    dockerfile: list[str],
) -> None:
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]

    assert dockerfile[0] == "FROM python:3.11-slim"
    assert users
    assert users[-1] not in {"root", "0"}


def test_image_installs_from_the_lock_without_a_pip_cache(
    dockerfile: list[str],
) -> None:
    install = "RUN pip install --no-cache-dir -r requirements/production.lock"
    assert install in dockerfile


def test_image_collects_static_files_with_production_settings(
    dockerfile: list[str],
) -> None:
    [collectstatic] = [line for line in dockerfile if "collectstatic" in line]

    assert collectstatic.startswith("RUN ")
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in collectstatic
    assert collectstatic.endswith("python manage.py collectstatic --noinput")


def test_build_time_secrets_do_not_persist_in_the_image(
    dockerfile: list[str],
) -> None:
    persistent = [line for line in dockerfile if line.startswith(("ENV ", "ARG "))]

    for name in REQUIRED_PRODUCTION_SECRETS:
        assert not any(name in line for line in persistent), name


def test_build_time_secret_key_is_long_enough_for_production_settings(
    dockerfile: list[str],
) -> None:
    [collectstatic] = [line for line in dockerfile if "collectstatic" in line]
    secret_key = re.search(r"\bSECRET_KEY=(\S+)", collectstatic)

    assert secret_key
    assert len(secret_key[1]) >= 50


def test_image_exposes_8000_and_starts_gunicorn_by_default(
    dockerfile: list[str],
) -> None:
    assert "EXPOSE 8000" in dockerfile
    assert dockerfile[-1].startswith('CMD ["gunicorn", "config.wsgi:application"')
