#!/usr/bin/env bash
# Installs what PeerSync needs to build, test and run its demo on Debian 12.
# Idempotent: packages already present are skipped, the virtualenv is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  pkg-config libssl-dev libzstd-dev libsystemd-dev libsqlite3-dev
  openssl coturn iproute2 python3-venv
  libsrtp2-dev libopus-dev libvpx-dev
  chromium
  nftables conntrack
  rsync syncthing faketime
  libpq-dev
  postgresql
  pulseaudio
  xvfb x11-xserver-utils libxcb1-dev libxcb-shm0-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python reference peers (aiortc, aioice) for interop tests, in a git-ignored virtualenv.
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" 2>/dev/null || { pip install -q virtualenv && python3 -m virtualenv -q "$VENV"; }
fi
if ! "$VENV/bin/python" -c "import aiortc, aioice, websockets" 2>/dev/null; then
  echo "setup: installing aiortc and websockets into $VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check aiortc websockets
fi
echo "setup: done" >&2
