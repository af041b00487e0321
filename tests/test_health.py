import pytest

from config.celery_app import app as celery_app


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_up(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"db": "ok", "broker": "ok"}
    assert (
        response["Cache-Control"].startswith("no-store")
        or "no-cache" in response["Cache-Control"]
    )


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch) -> None:
    # Nothing listens on port 1: the broker check must fail fast, not hang.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"db": "ok", "broker": "down"}


@pytest.mark.django_db
def test_the_landing_page_api_schema_and_docs_answer(client) -> None:
    for path in ("/", "/api/schema/", "/api/docs/", "/api/docs/?script="):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client) -> None:
    response = client.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
