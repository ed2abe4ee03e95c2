# Caddy from Debian's package, the Dinas's one address for its desks; run as the `caddy`
# user on an unprivileged port (8080), the Caddyfile mounted.
ARG BASE=ktpel/debian:bookworm
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends caddy \
    && rm -rf /var/lib/apt/lists/*
ENV XDG_DATA_HOME=/tmp XDG_CONFIG_HOME=/tmp
USER caddy
EXPOSE 8080
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
