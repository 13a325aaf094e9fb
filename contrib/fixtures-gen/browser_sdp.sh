#!/usr/bin/env bash
# Regenerates the Chromium and Firefox SDP fixtures under Tests/SDPTests/Fixtures/.
# Runs the browsers inside a private network namespace (loopback plus a veth pair with
# 192.0.2.10, TEST-NET-1) so no packet leaves the machine and host candidates still appear.
# Needs root, the Debian packages chromium and firefox-esr, and python3.
# Usage (as root): contrib/fixtures-gen/browser_sdp.sh [chromium|firefox|both]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/../../Tests/SDPTests/Fixtures"
which="${1:-both}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cat > "$work/inner.sh" <<INNER
set -euo pipefail
ip link set lo up
ip link add veth0 type veth peer name veth1
ip addr add 192.0.2.10/24 dev veth0
ip link set veth0 up; ip link set veth1 up; ip route add default dev veth0
run() {
  python3 "$here/server.py" 8765 "$dest" "$here/page.html" & sp=\$!
  sleep 0.5
  "\$@" > "$work/browser.log" 2>&1 & bp=\$!
  wait \$sp; kill \$bp 2>/dev/null || true; wait \$bp 2>/dev/null || true
}
if [ "$which" != firefox ]; then
  run chromium --headless=new --no-sandbox --disable-features=WebRtcHideLocalIpsWithMdns \
    --user-data-dir="$work/chromium" http://127.0.0.1:8765/
fi
if [ "$which" != chromium ]; then
  mkdir -p "$work/ff"
  echo 'user_pref("media.peerconnection.ice.obfuscate_host_addresses", false);' > "$work/ff/user.js"
  HOME="$work" run firefox --headless --no-remote --profile "$work/ff" http://127.0.0.1:8765/
fi
INNER
timeout 180 unshare -n bash "$work/inner.sh"
ls -l "$dest"
