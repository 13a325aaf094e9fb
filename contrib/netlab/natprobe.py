#!/usr/bin/env python3
"""RFC 4787 NAT behaviour probe for the netlab (stdlib only).

server (in the public namespace):  natprobe.py server IP1 IP2 PORT1 PORT2
    Listens on IP1:PORT1, IP1:PORT2, IP2:PORT1. A datagram "map" is answered with the source
    address it came from; "other-ip" / "other-port" are answered from IP2:PORT1 / IP1:PORT2
    instead (the filtering tests).
client (in a device namespace):   natprobe.py client IP1 IP2 PORT1 PORT2
    Mapping (RFC 4787 §4.1): one socket asks all three server addresses for its mapping;
    the same mapping everywhere = endpoint-independent, else address(-and-port)-dependent.
    Filtering (§5): a fresh socket contacts IP1:PORT1 only and asks for a reply from another
    IP (received = endpoint-independent filtering); another fresh socket asks for a reply from
    another port of the same IP (received = at most address-dependent filtering).
    Prints one line: `type=<full-cone|restricted|port-restricted|symmetric> mapping=… filtering=…`.
"""
import select, socket, sys

def server(ip1, ip2, p1, p2):
    socks = {}
    for addr in ((ip1, p1), (ip1, p2), (ip2, p1)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(addr)
        socks[addr] = s
    while True:
        ready, _, _ = select.select(list(socks.values()), [], [])
        for s in ready:
            data, src = s.recvfrom(2048)
            reply = f"{src[0]}:{src[1]}".encode()
            cmd = data.decode(errors="replace").strip()
            if cmd == "other-ip":
                socks[(ip2, p1)].sendto(reply, src)
            elif cmd == "other-port":
                socks[(ip1, p2)].sendto(reply, src)
            else:
                s.sendto(reply, src)

def ask(sock, dest, cmd, tries=3, timeout=0.4):
    sock.settimeout(timeout)
    for _ in range(tries):
        sock.sendto(cmd.encode(), dest)
        try:
            data, _ = sock.recvfrom(2048)
            return data.decode()
        except socket.timeout:
            continue
    return None

def fresh():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    return s

def client(ip1, ip2, p1, p2):
    s = fresh()
    maps = [ask(s, d, "map") for d in ((ip1, p1), (ip1, p2), (ip2, p1))]
    if None in maps:
        print(f"type=unreachable mappings={maps}")
        return 1
    mapping = "endpoint-independent" if len(set(maps)) == 1 else "address-and-port-dependent"
    other_ip = ask(fresh(), (ip1, p1), "other-ip") is not None
    other_port = ask(fresh(), (ip1, p1), "other-port") is not None
    filtering = ("endpoint-independent" if other_ip else
                 "address-dependent" if other_port else "address-and-port-dependent")
    if mapping != "endpoint-independent":
        kind = "symmetric"
    else:
        kind = {"endpoint-independent": "full-cone", "address-dependent": "restricted",
                "address-and-port-dependent": "port-restricted"}[filtering]
    print(f"type={kind} mapping={mapping} filtering={filtering} mapped={maps[0]}"
          + ("" if len(set(maps)) == 1 else f" others={maps[1]},{maps[2]}"))
    return 0

if __name__ == "__main__":
    mode, ip1, ip2, p1, p2 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    sys.exit(server(ip1, ip2, p1, p2) if mode == "server" else client(ip1, ip2, p1, p2))
