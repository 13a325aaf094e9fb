#!/usr/bin/env python3
"""A malicious rendezvous server for the security scenarios: a WebSocket relay on 127.0.0.1 that
passes every frame between the daemons and the real syncd-rendezvous, and tampers with them.

    evil_rendezvous.py --listen PORT --upstream ws://127.0.0.1:PORT/ws --mode fingerprint|pairing

  fingerprint  rewrites every `a=fingerprint:sha-256 …` in relayed signal payloads to the
               fingerprint of a certificate nobody holds (a server that wants to sit in the
               middle of the DTLS handshake);
  pairing      flips one character of every pairing room message (a server that tries to
               learn or bend a pairing code exchange).

Authentication passes through untouched (the relay cannot sign for a device). Prints one line
per tampered frame on stdout, so the scenario can prove the attack happened.
"""
import argparse, asyncio, json, re, sys

import websockets

FINGERPRINT = re.compile(r"a=fingerprint:sha-256 (?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}")
FORGED = "a=fingerprint:sha-256 " + ":".join(["5A"] * 32)


def tamper(text, mode):
    """The frame to forward, and whether it was changed."""
    try:
        msg = json.loads(text)
    except ValueError:
        return text, False
    if mode == "fingerprint" and msg.get("type") == "signal" and isinstance(msg.get("payload"), str):
        forged, n = FINGERPRINT.subn(FORGED, msg["payload"])
        if n:
            msg["payload"] = forged
            return json.dumps(msg), True
    if mode == "pairing" and msg.get("type") == "room-message" and isinstance(msg.get("payload"), str):
        p = msg["payload"]
        if len(p) > 8:
            i = len(p) // 2
            msg["payload"] = p[:i] + ("A" if p[i] != "A" else "B") + p[i + 1:]
            return json.dumps(msg), True
    return text, False


async def relay(client, upstream_url, mode):
    async with websockets.connect(upstream_url, max_size=None) as server:
        async def pump(src, dst, name):
            async for frame in src:
                if isinstance(frame, str):
                    frame, changed = tamper(frame, mode)
                    if changed:
                        print(f"tampered {name} {mode}", flush=True)
                await dst.send(frame)
        tasks = [asyncio.create_task(pump(client, server, "client->server")),
                 asyncio.create_task(pump(server, client, "server->client"))]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in pending:
            t.cancel()


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--mode", choices=["fingerprint", "pairing"], required=True)
    args = ap.parse_args()

    async def handler(ws, *rest):
        try:
            await relay(ws, args.upstream, args.mode)
        except Exception as e:  # a daemon or the server hung up: end this relay only
            print(f"relay ended: {e}", file=sys.stderr, flush=True)

    async with websockets.serve(handler, "127.0.0.1", args.listen, max_size=None):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
