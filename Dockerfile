# syntax=docker/dockerfile:1
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SUMMITBOT_DB=/data/summitbot.sqlite3 \
    SUMMITBOT_INTENTS_DIR=/app/intents \
    SUMMITBOT_KNOWLEDGE_DIR=/app/knowledge

WORKDIR /app
RUN groupadd --system --gid 10001 summitbot \
    && useradd --system --uid 10001 --gid summitbot --home-dir /app --shell /usr/sbin/nologin summitbot \
    && mkdir -p /data \
    && chown summitbot:summitbot /data

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .
COPY intents ./intents
COPY knowledge ./knowledge

USER summitbot
VOLUME ["/data"]
ENTRYPOINT ["summitbot"]
CMD ["run"]
