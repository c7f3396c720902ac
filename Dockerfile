# syntax=docker/dockerfile:1
# CONDENSYNC MCP tool server (streamable HTTP on 8017, Prometheus metrics on 9017).
#
#   docker build -t greenlang/gl-017-condensync:0.1.0 .
#   # no configuration needed: supplied-data calls, SQLite store in the data volume, auth on;
#   # the first API token comes from a file (stored hashed at start, see docs/notes-mcpux.md)
#   python -c "import secrets; print('cst_' + secrets.token_urlsafe(32))" > bootstrap-token
#   docker run --read-only --tmpfs /tmp -v condensync-data:/var/lib/condensync \
#     -v $PWD/bootstrap-token:/run/secrets/condensync-bootstrap:ro \
#     -e CONDENSYNC_BOOTSTRAP_TOKEN_FILE=/run/secrets/condensync-bootstrap \
#     -p 8017:8017 -p 9017:9017 greenlang/gl-017-condensync:0.1.0
#   # with a plant configuration (design data, live connectors) and PostgreSQL:
#   #   -v $PWD/plant.toml:/etc/condensync/plant.toml:ro -e CONDENSYNC_CONFIG=/etc/condensync/plant.toml
#   #   -e CONDENSYNC_DATABASE_URL=postgresql+psycopg://condensync:...@db/condensync
#
# Runs as an unprivileged user (uid 10017) and works with a read-only root filesystem: the
# only writable paths are /tmp and /var/lib/condensync (mount volumes there). See
# docs/service.md and deploy/k8s/.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/condensync
WORKDIR /src
COPY pyproject.toml README.md ./
COPY condensync_tools/ condensync_tools/
COPY connectors/ connectors/
COPY schemas/ schemas/
# a wheel build (schemas packaged inside), installed with its locked-range dependencies;
# pip compiles the bytecode now, so nothing is written at run time
RUN /opt/condensync/bin/pip install . && /opt/condensync/bin/condensync tools >/dev/null

FROM python:3.11-slim
LABEL org.opencontainers.image.title="gl-017-condensync" \
      org.opencontainers.image.description="Deterministic steam surface condenser calculators over MCP" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10017 condensync \
 && useradd --system --uid 10017 --gid 10017 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin condensync \
 && install -d -o 10017 -g 10017 -m 0750 /var/lib/condensync \
 && install -d -m 0755 /etc/condensync
COPY --from=build /opt/condensync /opt/condensync
ENV PATH=/opt/condensync/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    XDG_DATA_HOME=/var/lib/condensync \
    XDG_CACHE_HOME=/tmp/.cache
# No secrets here: CONDENSYNC_DATABASE_URL, CONDENSYNC_OIDC_*, CONDENSYNC_LEDGER_KEY come from the
# orchestrator (a Kubernetes Secret). Without a database URL the store is an SQLite file under
# /var/lib/condensync (one replica only).
VOLUME ["/var/lib/condensync", "/tmp"]
USER 10017:10017
EXPOSE 8017 9017
# Liveness of the event loop; HTTPS when CONDENSYNC_TLS_CERT is set (self-signed is fine here).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os,ssl,sys,urllib.request as u; t=bool(os.environ.get('CONDENSYNC_TLS_CERT')); c=ssl._create_unverified_context() if t else None; sys.exit(0 if u.urlopen(('https' if t else 'http')+'://127.0.0.1:8017/health/live', timeout=4, context=c).status == 200 else 1)"]
# No --config: the image starts on its built-in defaults; CONDENSYNC_CONFIG names a mounted
# plant configuration when there is one (the Kubernetes Deployment sets it).
CMD ["condensync", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8017", "--metrics-port", "9017"]
