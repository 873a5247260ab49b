# Commitments Tracker: one dashboard replica.
#
#   docker build -t commitments-tracker .
#   docker run -p 8501:8501 -v /srv/tracker-data:/data commitments-tracker
#
# The member files live in the /data volume (TRACKER_DATA_DIR); an empty volume shows an empty
# dashboard. OIDC settings go in /app/.streamlit/secrets.toml, mounted as a secret, never baked in.
# See docs/deploy.md for several replicas behind a proxy. Written and checked by reading on a
# machine without a Docker engine: see docs/deploy.md, "What was and was not tested".

FROM python:3.11-slim

# Debian's Chromium draws chart images and the briefing-pack PDF (kaleido and `chromium --print-to-pdf`).
# Without it (--build-arg INSTALL_CHROMIUM=false, ~350 MB smaller) the dashboard works and those exports
# say that Chromium is missing.
ARG INSTALL_CHROMIUM=true
RUN if [ "$INSTALL_CHROMIUM" = "true" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
        && rm -rf /var/lib/apt/lists/*; \
    fi

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRACKER_DATA_DIR=/data

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

# The application (what .dockerignore leaves: no tests, benchmarks, virtualenvs or secrets).
COPY . .

# A non-root user owns the data volume: the store writes _history/, _submissions/ and _snapshots/ there.
RUN useradd --uid 10001 --create-home --shell /usr/sbin/nologin tracker \
    && mkdir -p /data \
    && chown tracker:tracker /data
USER tracker
VOLUME ["/data"]

EXPOSE 8501

# Streamlit's own liveness endpoint; python is on the image, curl is not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# fileWatcherType none: the app notices changed member files itself (file fingerprints on every run);
# watching the source code is for development.
CMD ["streamlit", "run", "dashboard.py", \
     "--server.address", "0.0.0.0", \
     "--server.port", "8501", \
     "--server.headless", "true", \
     "--server.fileWatcherType", "none", \
     "--browser.gatherUsageStats", "false"]
