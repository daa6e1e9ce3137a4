# aryz: the API and the worker (one image, two commands). Build: docker build -t aryz .
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/aryz
COPY pyproject.toml README.md ./
COPY activities activities
COPY api api
COPY db db
COPY documents documents
COPY rules rules
COPY schemas schemas
COPY stack stack
COPY workflows workflows
COPY cli.py settings.py worker.py ./
# Production installs leave out the embedded PostgreSQL and Temporal dev server (`[embedded]`).
RUN /opt/aryz/bin/pip install --no-cache-dir --upgrade pip && /opt/aryz/bin/pip install --no-cache-dir .
# The message catalogues are compiled into the installed package, the one the final stage copies
# (/opt/aryz): run from / so that `api` is the installed package, not the sources in /src.
RUN cd / && /opt/aryz/bin/python -m api.i18n.catalogues \
    && ls /opt/aryz/lib/python3.11/site-packages/api/locale/*/LC_MESSAGES/messages.mo

FROM python:3.11-slim
# WeasyPrint renders documents with Pango (runtime libraries only; the fonts travel in documents/fonts).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system aryz && useradd --system --gid aryz --home-dir /var/lib/aryz --create-home aryz \
    && mkdir -p /var/lib/aryz/audit-checkpoints && chown -R aryz:aryz /var/lib/aryz
COPY --from=build /opt/aryz /opt/aryz
ENV PATH=/opt/aryz/bin:$PATH PYTHONUNBUFFERED=1 ARYZ_VAR_DIR=/var/lib/aryz
USER aryz
WORKDIR /var/lib/aryz
EXPOSE 8000 9464
CMD ["aryz", "api"]
