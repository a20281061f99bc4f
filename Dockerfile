FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=console.settings.production
WORKDIR /app
# Every runtime dependency exactly as locked (hash-checked), in a layer of its own; then the
# project itself without dependencies (`make lock` regenerates the lock from pyproject.toml).
COPY requirements/base.lock requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/base.lock
COPY . .
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && pip check && \
    SECRET_KEY=build FIELD_ENCRYPTION_KEYS=ZmFrZS1rZXktZm9yLWNvbGxlY3RzdGF0aWMtb25seS0= ALLOWED_HOSTS=* \
    python manage.py collectstatic --noinput && \
    useradd --system --home /app console && chown -R console /app
USER console
EXPOSE 8000
CMD ["uvicorn", "console.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--proxy-headers"]
