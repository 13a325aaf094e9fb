#!/usr/bin/env bash
# PeerSync network lab: network namespaces, NATs of every RFC 4787 type, netem, coturn.
# Source it (functions lab_*) or run it:  contrib/netlab/lab.sh up|down|nat DEV TYPE|netem DEV ARGS…|probe DEV|status
# Needs root, iproute2, nftables, conntrack, coturn, python3. Everything lives in namespaces
# named psl-* that this script creates; `down` (and `up`, for stale ones) removes them.
#
# WAN links ("wire") are two TAPs joined by wire.py, a userspace netem: the VMs this runs on have
# no sch_netem (tc says "Specified qdisc kind is unknown"), so delay/jitter/loss/reorder/rate are
# applied there instead, with the same words as tc netem.
#
# Topology ("the internet" is 203.0.113.0/24, RFC 5737 documentation space):
#
#   psl-pub: bridge inet0 203.0.113.1 + .2 (coturn STUN/TURN on .1:3478, NAT probe server)
#      ├── wire ── psl-rA (router/NAT)  wan 203.0.113.11 | lan 10.0.1.1 ── psl-dA (device) 10.0.1.2
#      └── wire ── psl-rB (router/NAT)  wan 203.0.113.12 | lan 10.0.2.1 ── psl-dB (device) 10.0.2.2
#
# How each NAT type is realised (nftables in the router namespace, table `ip psl`):
#   Linux NAT maps a new UDP flow to the same source port when it is free (port preservation),
#   so plain SNAT gives endpoint-independent MAPPING; conntrack then lets in only replies from the
#   exact remote address and port, i.e. address-and-port-dependent FILTERING.
#   port-restricted : `snat to WAN`                      EIM + address-and-port-dependent filtering
#   restricted      : `snat to WAN` + dynamic set @contacted of (device port . remote IP) the
#                     device sent to (forward chain, 120 s timeout; the port is the mapped port, as
#                     it is preserved) + prerouting `udp dport . ip saddr @contacted dnat to DEVICE`
#                                                        EIM + address-dependent filtering
#   full-cone       : `snat to WAN` + prerouting `udp dport 1024-65535 dnat to DEVICE` for any
#                     unsolicited inbound flow (valid because the mapping preserves the port;
#                     one device per NAT)                EIM + endpoint-independent filtering
#   symmetric       : `masquerade fully-random`          a random port per flow (5-tuple):
#                                                        address-and-port-dependent mapping + filtering
#   Unsolicited inbound UDP that is not DNATed is dropped in the input chain (no ICMP, and the
#   unconfirmed conntrack entry never collides with a later outbound mapping).
#   `lab_rebind DEV` moves the device's mapping: SNAT to ports 20000–29999 and a conntrack flush.
# Each type is verified by natprobe.py (RFC 4787 §4.1 mapping, §5 filtering tests): `lab.sh probe A`.
#
# Hooks for daemons (when syncd and syncd-rendezvous exist): lab_exec DEV CMD… runs anything in a
# device namespace (state in $LAB_DIR/DEV), lab_exec pub CMD… in the public one; the rendezvous
# server belongs in psl-pub on 203.0.113.1, next to coturn.

LAB_DIR=${LAB_DIR:-/tmp/peersync-netlab}
LAB_NS=(psl-pub psl-rA psl-dA psl-rB psl-dB)
LAB_PUB1=203.0.113.1
LAB_PUB2=203.0.113.2
LAB_TURN_USER=peersync
LAB_TURN_PASS=peersync
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

lab_wan() { case $1 in A) echo 203.0.113.11 ;; B) echo 203.0.113.12 ;; esac; }
lab_dev() { case $1 in A) echo 10.0.1.2 ;; B) echo 10.0.2.2 ;; esac; }
lab_exec() { local ns=$1; shift; case $ns in pub) ns=psl-pub ;; A|B) ns=psl-d$ns ;; rA|rB) ns=psl-$ns ;; esac; ip netns exec "$ns" "$@"; }

# Fails loudly when the kernel or tools cannot host the lab.
lab_check() {
  local missing=()
  for t in ip nft conntrack turnserver python3; do command -v "$t" >/dev/null || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] || { echo "netlab: missing tools: ${missing[*]} (run contrib/setup.sh)" >&2; return 1; }
  [ "$(id -u)" -eq 0 ] || { echo "netlab: must run as root (network namespaces)" >&2; return 1; }
  ip netns add psl-check 2>/dev/null || { echo "netlab: cannot create network namespaces here (ip netns add failed)" >&2; return 1; }
  local ok=1
  ip netns exec psl-check nft add table ip t 2>/dev/null || ok=0
  ip netns exec psl-check nft add chain ip t c '{ type nat hook postrouting priority srcnat; }' 2>/dev/null || ok=0
  ip -n psl-check link add v0 type veth peer name v1 2>/dev/null || ok=0
  ip tuntap add mode tap name psl-checktap 2>/dev/null && ip link set psl-checktap netns psl-check 2>/dev/null || ok=0
  ip netns del psl-check
  [ $ok -eq 1 ] || { echo "netlab: nftables NAT, veth or TAP devices are unavailable in this kernel" >&2; return 1; }
}

lab_down() {
  if [ -f "$LAB_DIR/coturn.pid" ]; then kill "$(cat "$LAB_DIR/coturn.pid")" 2>/dev/null || true; fi
  if [ -f "$LAB_DIR/natprobe.pid" ]; then kill "$(cat "$LAB_DIR/natprobe.pid")" 2>/dev/null || true; fi
  for ns in "${LAB_NS[@]}" psl-check; do
    if ip netns list | grep -qw "$ns"; then
      # Any process still inside (a probe, a daemon) goes with its namespace.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
  for f in "$LAB_DIR"/wire-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for l in psl-tA psl-tB psl-pA psl-pB; do ip link del "$l" 2>/dev/null || true; done
  rm -f "$LAB_DIR"/*.pid
}

lab_up() {
  lab_down
  mkdir -p "$LAB_DIR"
  for ns in "${LAB_NS[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  ip -n psl-pub link add inet0 type bridge
  ip -n psl-pub addr add $LAB_PUB1/24 dev inet0
  ip -n psl-pub addr add $LAB_PUB2/24 dev inet0
  ip -n psl-pub link set inet0 up
  local d n
  for d in A B; do
    n=$([ $d = A ] && echo 1 || echo 2)
    # The WAN link is a userspace wire (wire.py) between two TAPs: netem without sch_netem.
    : > "$LAB_DIR/wire-$d.params"
    ip tuntap add mode tap name "psl-t$d"
    ip tuntap add mode tap name "psl-p$d"
    python3 "$LAB_HERE/wire.py" "psl-t$d" "psl-p$d" "$LAB_DIR/wire-$d.params" "$LAB_DIR/wire-$d.pid" \
      > /dev/null 2> "$LAB_DIR/wire-$d.log" &
    for _ in $(seq 50); do [ -f "$LAB_DIR/wire-$d.pid" ] && break; sleep 0.1; done
    [ -f "$LAB_DIR/wire-$d.pid" ] || { echo "netlab: wire.py did not start; see $LAB_DIR/wire-$d.log" >&2; return 1; }
    ip link set "psl-t$d" netns "psl-r$d"
    ip -n "psl-r$d" link set "psl-t$d" name wan
    ip link set "psl-p$d" netns psl-pub
    ip -n psl-pub link set "psl-p$d" master inet0 up
    ip -n "psl-r$d" addr add "$(lab_wan $d)/24" dev wan
    ip -n "psl-r$d" link set wan up
    ip link add "psl-l$d" netns "psl-r$d" type veth peer name eth0 netns "psl-d$d"
    ip -n "psl-r$d" link set "psl-l$d" name lan
    ip -n "psl-r$d" addr add "10.0.$n.1/24" dev lan
    ip -n "psl-r$d" link set lan up
    ip -n "psl-d$d" addr add "$(lab_dev $d)/24" dev eth0
    ip -n "psl-d$d" link set eth0 up
    ip -n "psl-d$d" route add default via "10.0.$n.1"
    ip netns exec "psl-r$d" sysctl -qw net.ipv4.ip_forward=1
    lab_nat $d port-restricted
  done
  lab_exec pub turnserver -n --listening-ip=$LAB_PUB1 --relay-ip=$LAB_PUB1 --listening-port=3478 \
    --realm=peersync.test --lt-cred-mech --user=$LAB_TURN_USER:$LAB_TURN_PASS --no-tls --no-dtls --no-cli \
    --min-port=49152 --max-port=65535 --verbose --log-file="$LAB_DIR/coturn.log" --simple-log --pidfile="$LAB_DIR/coturn-own.pid" \
    > "$LAB_DIR/coturn.out" 2>&1 &
  echo $! > "$LAB_DIR/coturn.pid"
  lab_exec pub python3 "$LAB_HERE/natprobe.py" server $LAB_PUB1 $LAB_PUB2 3480 3481 > "$LAB_DIR/natprobe.log" 2>&1 &
  echo $! > "$LAB_DIR/natprobe.pid"
  # Wait (bounded) for coturn to answer.
  local i
  for i in $(seq 50); do
    lab_exec pub ss -Hlun "sport = :3478" | grep -q . && return 0
    sleep 0.1
  done
  echo "netlab: coturn did not start; see $LAB_DIR/coturn.log" >&2
  return 1
}

# lab_nat DEV TYPE — (re)configures the NAT in front of device DEV and forgets its flows.
lab_nat() {
  local d=$1 type=$2 wan dev snat dnat=""
  wan=$(lab_wan "$d"); dev=$(lab_dev "$d")
  case $type in
    port-restricted) snat="snat ip to $wan" ;;
    restricted)      snat="snat ip to $wan"
                     dnat="iifname \"wan\" udp dport . ip saddr @contacted dnat ip to $dev" ;;
    full-cone)       snat="snat ip to $wan"
                     dnat="iifname \"wan\" udp dport 1024-65535 dnat ip to $dev" ;;
    symmetric)       snat="masquerade fully-random" ;;
    *) echo "netlab: unknown NAT type $type" >&2; return 2 ;;
  esac
  lab_exec "r$d" nft -f - <<NFT
flush ruleset
table ip psl {
  set contacted { type inet_service . ipv4_addr; flags timeout; timeout 120s; }
  chain nat_pre {
    type nat hook prerouting priority dstnat;
    $dnat
  }
  chain nat_post {
    type nat hook postrouting priority srcnat;
    oifname "wan" $snat
  }
  chain forward_filter {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" meta l4proto udp update @contacted { udp sport . ip daddr } accept
    iifname "lan" oifname "wan" accept
    iifname "wan" ct status dnat accept
  }
  chain input_filter {
    type filter hook input priority filter;
    iifname "wan" meta l4proto udp drop
  }
}
NFT
  lab_exec "r$d" conntrack -F >/dev/null 2>&1 || true
  echo "$type" > "$LAB_DIR/nat-$d"
}

# lab_rebind DEV — the NAT in front of DEV changes its mapping mid-session (new port range,
# conntrack flushed), as a NAT reboot or a mapping timeout would.
lab_rebind() {
  lab_exec "r$1" nft flush chain ip psl nat_post
  lab_exec "r$1" nft add rule ip psl nat_post oifname wan meta l4proto udp snat ip to "$(lab_wan "$1")":20000-29999
  lab_exec "r$1" conntrack -F >/dev/null 2>&1 || true
}

# lab_netem DEV ARGS… — impairs the router's WAN egress (set it on A and B for both directions);
# `lab_netem DEV off` removes it. Example: lab_netem A delay 50ms 5ms loss 10% reorder 5% rate 20mbit
# netem-style words, applied by wire.py (this kernel family has no sch_netem; tc netem semantics:
# delay [jitter], loss %, reorder % = sent without delay, rate; seed N for the loss generator).
lab_netem() {
  local d=$1; shift
  if [ "$1" = off ]; then : > "$LAB_DIR/wire-$d.params"; else echo "$@" > "$LAB_DIR/wire-$d.params"; fi
  kill -HUP "$(cat "$LAB_DIR/wire-$d.pid")"
}

lab_probe() { lab_exec "$1" python3 "$LAB_HERE/natprobe.py" client $LAB_PUB1 $LAB_PUB2 3480 3481; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cmd=${1:-status}; shift || true
  case $cmd in
    check) lab_check ;;
    up) lab_check; lab_up; echo "netlab: up (namespaces ${LAB_NS[*]}; logs in $LAB_DIR)" ;;
    down) lab_down ;;
    nat) lab_nat "$@" ;;
    rebind) lab_rebind "$@" ;;
    netem) lab_netem "$@" ;;
    probe) lab_probe "$@" ;;
    status) ip netns list | grep psl- || echo "netlab: down" ;;
    *) sed -n '2,3p' "$0"; exit 2 ;;
  esac
fi
