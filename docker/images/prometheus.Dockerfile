# Prometheus from Debian's package, run as its `prometheus` user; the configuration and rules
# are mounted (k8s/monitoring/).
ARG BASE=ktpel/debian:bookworm
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/*
USER prometheus
EXPOSE 9090
HEALTHCHECK --interval=10s --timeout=5s --retries=10 \
    CMD ["promtool", "query", "instant", "http://127.0.0.1:9090", "vector(1)"]
ENTRYPOINT ["prometheus", "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/var/lib/prometheus/metrics2"]
