#!/usr/bin/env bash
# The test command of the README: brings up RabbitMQ and PostgreSQL if they are not running
# (installing them if missing), then runs every test of the workspace against them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh all
export KTPEL_TEST_POSTGRES_URL=${KTPEL_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/test}
exec cargo test --workspace --locked "$@"
