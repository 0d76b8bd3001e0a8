# syntax=docker/dockerfile:1
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SUMMITBOT_DB=/data/summitbot.sqlite3 \
    SUMMITBOT_INTENTS_DIR=/app/intents \
    SUMMITBOT_KNOWLEDGE_DIR=/app/knowledge \
    SUMMITBOT_RANKER=/app/model/ranker.json \
    SUMMITBOT_EMBEDDING_CACHE=/data/embeddings.sqlite3 \
    SUMMITBOT_HEALTH_PORT=8080 \
    SUMMITBOT_HEALTH_URL=http://127.0.0.1:8080/healthz

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
COPY model ./model

USER summitbot
VOLUME ["/data"]
EXPOSE 8443
# Polling mode serves /healthz on SUMMITBOT_HEALTH_PORT; in webhook mode point SUMMITBOT_HEALTH_URL at the webhook port.
# The first start on a new /data volume embeds the knowledge base (about a minute); later starts reuse the cache.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(os.environ['SUMMITBOT_HEALTH_URL'], timeout=4).status == 200 else 1)"]
ENTRYPOINT ["summitbot"]
CMD ["run"]
