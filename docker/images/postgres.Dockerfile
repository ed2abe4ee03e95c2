# PostgreSQL 15 from Debian's package. On first start (an empty data volume) the entrypoint
# makes the cluster with POSTGRES_USER (default postgres) and POSTGRES_PASSWORD (required),
# creates POSTGRES_DB if set, and runs /docker-entrypoint-initdb.d/*.sql, as the official
# image does; the server runs as the `postgres` user.
ARG BASE=ktpel/debian:bookworm
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres /var/lib/postgresql/data /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=5s --retries=30 CMD ["pg_isready", "-h", "127.0.0.1"]
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres-entrypoint"]
