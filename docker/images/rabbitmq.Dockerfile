# RabbitMQ from Debian's package, with the plugins every site's broker runs (management for the
# links' declarations and the ops room, shovel for the links, prometheus for the metrics).
# RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS make the first user, as in the official
# image; the node runs as the package's `rabbitmq` user.
ARG BASE=ktpel/debian:bookworm
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends rabbitmq-server \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o rabbitmq -g rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
COPY rabbitmq-plugins /etc/rabbitmq/enabled_plugins
COPY rabbitmq-entrypoint.sh /usr/local/bin/rabbitmq-entrypoint
# Logs to the container's output, and the node's name from the container's hostname.
ENV RABBITMQ_LOGS=- RABBITMQ_USE_LONGNAME=false HOME=/var/lib/rabbitmq
USER rabbitmq
EXPOSE 5672 15672 15692
HEALTHCHECK --interval=5s --timeout=10s --retries=30 \
    CMD ["rabbitmq-diagnostics", "-q", "check_port_connectivity"]
ENTRYPOINT ["rabbitmq-entrypoint"]
