#!/usr/bin/env bash
# The run command of the README: brings up RabbitMQ if it is not running (installing it if
# missing), then runs every service in one process with `ktpel up`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh rabbitmq
exec cargo run --release --locked -p ktpel -- up "$@"
