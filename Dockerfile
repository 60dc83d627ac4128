# Production image for web (gunicorn), worker and beat. See docker-compose.yml.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JINMYAKU_VAR_DIR=/app/var

# Tesseract's Japanese, vertical Japanese and English data for reading business cards.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only SITE_URL=https://collectstatic.invalid python manage.py collectstatic --noinput \
    && useradd --system --home /app jinmyaku \
    && mkdir -p /app/var && chown jinmyaku /app/var
USER jinmyaku

EXPOSE 8000
CMD ["gunicorn", "networking.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
