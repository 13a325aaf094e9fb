#!/usr/bin/env python3
"""aioice peer for PeerSync's ICE interop tests (Tests/ICEInteropTests).

Speaks JSON lines on stdin/stdout:
  out {"type":"local","ufrag":..,"pwd":..,"candidates":[sdp..]}   after gathering (loopback only)
  in  {"type":"remote","ufrag":..,"pwd":..,"candidates":[sdp..]}  the Swift agent's credentials/candidates
  out {"type":"connected","remote":"ip:port"}                     when aioice's connect() returns
  then every datagram received is echoed back prefixed with b"echo:", and aioice sends b"hello from aioice".
  out {"type":"received","data":"<text>"} for each datagram; in {"type":"close"} ends.
Usage: aioice_peer.py --role controlling|controlled [--timeout 20]
"""
import argparse
import asyncio
import json
import sys

import aioice
import aioice.ice


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=["controlling", "controlled"], required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()

    # aioice skips 127.0.0.1 when it enumerates interfaces; the test runs on loopback only.
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    conn = aioice.Connection(ice_controlling=args.role == "controlling", components=1, use_ipv4=True, use_ipv6=False)
    await conn.gather_candidates()
    emit({
        "type": "local",
        "ufrag": conn.local_username,
        "pwd": conn.local_password,
        "candidates": ["candidate:" + c.to_sdp() for c in conn.local_candidates],
    })

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    line = await asyncio.wait_for(reader.readline(), args.timeout)
    remote = json.loads(line)
    conn.remote_username = remote["ufrag"]
    conn.remote_password = remote["pwd"]
    for sdp in remote["candidates"]:
        if sdp.startswith("candidate:"):
            sdp = sdp[len("candidate:"):]
        await conn.add_remote_candidate(aioice.Candidate.from_sdp(sdp))
    await conn.add_remote_candidate(None)

    await asyncio.wait_for(conn.connect(), args.timeout)
    pair = conn._nominated.get(1)
    emit({"type": "connected", "remote": f"{pair.remote_addr[0]}:{pair.remote_addr[1]}" if pair else ""})
    await conn.send(b"hello from aioice")

    async def echo():
        while True:
            data = await conn.recv()
            emit({"type": "received", "data": data.decode("utf-8", "replace")})
            await conn.send(b"echo:" + data)

    async def control():
        while True:
            line = await reader.readline()
            if not line or json.loads(line).get("type") == "close":
                return

    echo_task = asyncio.ensure_future(echo())
    try:
        await asyncio.wait_for(control(), args.timeout)
    finally:
        echo_task.cancel()
        await conn.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except asyncio.TimeoutError:
        emit({"type": "error", "message": "timeout"})
        sys.exit(2)
