#!/usr/bin/env bash
# Idempotent machine set-up shared by scripts/test and scripts/run: npm dependencies, the Debian
# packages the tests and the sandbox need, and a running Redis. Safe to run on every invocation.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; exit 1
  fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# OpenSSH and sudo host the simulated edx-worker; Django and django-oauth-toolkit make its
# management commands and OAuth token endpoint real (see test/emulators/edx-worker).
apt_install redis-server openssh-server openssh-client sudo python3 python3-django python3-django-oauth-toolkit
# Debian's Chromium runs the sandbox page's browser test (driven by playwright-core, no download).
apt_install chromium

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up; then
  log 'starting Redis on 127.0.0.1:6379'
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
  redis_up || { log 'Redis did not start'; exit 1; }
fi

stamp=node_modules/.install-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log 'installing npm dependencies (npm ci)'
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
