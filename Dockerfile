# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(chr(10).join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

COPY . .
RUN useradd --create-home --uid 1000 siop \
    && mkdir -p /app/media \
    && DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && chown -R siop:siop /app
USER siop

EXPOSE 8000
CMD ["gunicorn", "siop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
