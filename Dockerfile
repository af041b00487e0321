# Production image for Ankang: one image for web (gunicorn), Celery workers and beat.
# docker-compose.yml picks the process through each service's command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The process runs as an unprivileged user. The code and collected static files stay
# owned by root, so a compromised process cannot rewrite them; it writes only to /tmp
# (the beat schedule, the file SMS backend).
RUN groupadd --system ankang \
    && useradd --system --gid ankang --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin ankang

# Dependencies first, so a code change does not reinstall them.
COPY requirements/production.lock requirements/production.lock
RUN pip install --no-cache-dir -r requirements/production.lock

COPY . .

# Production settings demand their secrets, so collectstatic gets throw-away values
# on this one command line. They are not ENV and do not reach the running container;
# the real values come from the environment at run time (.env, see .env.example).
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DEBUG=False \
    SECRET_KEY=build-time-only-not-a-secret-collectstatic-needs-fifty-characters \
    FIELD_ENCRYPTION_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    ID_HASH_KEY=build-time-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    SMS_BACKEND=console \
    python manage.py collectstatic --noinput

USER ankang

EXPOSE 8000

# Workers default to WEB_CONCURRENCY (gunicorn reads it); compose passes it explicitly.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
