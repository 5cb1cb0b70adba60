# The portal's production image: gunicorn serves the app, whitenoise its static files; the same
# image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/data/media

# WeasyPrint's libraries (Pango, HarfBuzz subsetting), a CJK font for Chinese PDFs, msgfmt, and
# pg_dump/pg_restore for bin/backup and bin/restore (Debian 12's client is PostgreSQL 15, the server's).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext libmagic1 \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Runtime dependencies only (tests and lint tools are requirements-dev.txt).
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Compile translations and collect the static files whitenoise serves (production settings with
# throwaway values: neither step touches the database), then a non-root user that owns only what
# the app writes: var/ and the media volume's mount point.
RUN export SECRET_KEY=build-only AUDIT_HMAC_KEY=build-only-never-used-to-key-the-audit-chain DATABASE_URL=sqlite:////tmp/build.sqlite3 ALLOWED_HOSTS=build \
        SITE_URL=https://build.invalid CELERY_BROKER_URL=redis://build.invalid:6379/0 CACHE_URL=redis://build.invalid:6379/1 EMAIL_HOST=build.invalid \
    && if find . -name '*.po' | grep -q .; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --user-group --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /data/media \
    && chown -R portal:portal /app/var /data/media

USER portal
EXPOSE 8000
# Migrations run once in docker-compose's `migrate` service, not in every container; see bin/docker-entrypoint.
ENTRYPOINT ["sh", "bin/docker-entrypoint"]
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
