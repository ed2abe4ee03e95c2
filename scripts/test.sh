#!/usr/bin/env bash
# The test command of the README: brings up RabbitMQ (and a second node of it, another
# site's broker) and PostgreSQL if they are not running (installing them if missing), then runs every test of the workspace against them and ends
# with one line that sums up every test binary: `tests: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh all
scripts/services.sh site-broker     # a second RabbitMQ node: the tests link two sites' brokers
scripts/services.sh restart-broker  # a third, that one test restarts under a running demo
scripts/services.sh restart-postgres # a PostgreSQL server that one test restarts and kills
scripts/services.sh cluster        # three RabbitMQ nodes in a cluster, whose nodes tests kill
scripts/services.sh tools          # promtool and Prometheus, headless Chromium
# The alert rules first: their unit tests are quick and need no build.
promtool check rules k8s/monitoring/alerts.yml
promtool test rules k8s/monitoring/alerts.test.yml
export KTPEL_TEST_POSTGRES_URL=${KTPEL_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/test}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked "$@" 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
