# The portal's production image: gunicorn serves the app, whitenoise its static files; the same
# image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/data/media

# WeasyPrint's libraries (Pango, HarfBuzz subsetting), a CJK font for Chinese PDFs, msgfmt.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Runtime dependencies only (tests and lint tools are requirements-dev.txt).
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Compile translations (local settings: they need no secrets), then a non-root user that owns
# only what the app writes: collected static files and the media volume's mount point.
RUN if find . -name '*.po' | grep -q .; then \
        DJANGO_SETTINGS_MODULE=portal.settings.local python manage.py compilemessages --ignore=.venv; \
    fi \
    && useradd --system --user-group --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /app/var/staticfiles /data/media \
    && chown -R portal:portal /app/var /data/media

USER portal
EXPOSE 8000
# The entrypoint migrates and collects static files before gunicorn starts; see bin/docker-entrypoint.
ENTRYPOINT ["sh", "bin/docker-entrypoint"]
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
