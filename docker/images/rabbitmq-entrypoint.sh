#!/bin/sh
# The node in the background, stopped cleanly on `docker stop`: Debian's rabbitmq-server is a
# script that does not pass SIGTERM on to the Erlang VM, so the signal is turned into
# `rabbitmqctl shutdown` (which waits until the node has stopped).
set -eu
rabbitmq-server "$@" &
node=$!
trap 'rabbitmqctl -q shutdown; wait "$node"; exit 0' TERM INT
wait "$node"
