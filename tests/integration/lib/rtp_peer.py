#!/usr/bin/env python3
"""A symmetric RTP endpoint for tests and the demo: it sends `count` RTP packets from its own
address to a peer and, on the same socket, receives what comes back, checking every packet's
source and contents. Prints one JSON object.

Each payload carries the sender's SSRC and sequence number again, so the receiver can tell a
packet that arrived intact from one that was mangled or belongs to another stream.
"""
import argparse
import json
import socket
import struct
import sys
import time


def parse_addr(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def rtp_packet(ssrc, seq, payload_type, payload_len):
    header = struct.pack("!BBHII", 0x80, payload_type, seq & 0xFFFF, seq * 160, ssrc)
    body = struct.pack("!II", ssrc, seq)
    body += bytes((seq + i) & 0xFF for i in range(payload_len - len(body)))
    return header + body


def check_packet(data):
    """Returns (ssrc, seq) when the packet is intact, else None."""
    if len(data) < 20 or data[0] != 0x80:
        return None
    _, _, seq16, _, ssrc = struct.unpack("!BBHII", data[:12])
    inner_ssrc, seq = struct.unpack("!II", data[12:20])
    if inner_ssrc != ssrc or (seq & 0xFFFF) != seq16:
        return None
    expected = bytes((seq + i) & 0xFF for i in range(len(data) - 20))
    return (ssrc, seq) if data[20:] == expected else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True, help="local ADDR:PORT")
    ap.add_argument("--to", help="peer ADDR:PORT to send to")
    ap.add_argument("--count", type=int, default=0, help="packets to send")
    ap.add_argument("--pps", type=float, default=50.0, help="send rate")
    ap.add_argument("--ssrc", type=lambda s: int(s, 0), default=0x5BC0001)
    ap.add_argument("--payload-type", type=int, default=0)
    ap.add_argument("--payload-len", type=int, default=160)
    ap.add_argument("--expect", type=int, default=0, help="packets to wait for")
    ap.add_argument("--expect-from", help="ADDR:PORT every received packet must come from")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--start-delay", type=float, default=0.0)
    args = ap.parse_args()

    host, port = parse_addr(args.bind)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((host, port))
    sock.setblocking(False)
    to = parse_addr(args.to) if args.to else None
    expect_from = parse_addr(args.expect_from) if args.expect_from else None

    result = {"bind": args.bind, "sent": 0, "received": 0, "intact": 0, "wrong_source": 0,
              "sources": {}, "ssrcs": [], "first_seq": None, "last_seq": None}
    ssrcs = set()
    time.sleep(args.start_delay)
    start = time.monotonic()
    deadline = start + args.timeout
    interval = 1.0 / args.pps if args.pps > 0 else 0.0
    next_send = start
    while time.monotonic() < deadline:
        now = time.monotonic()
        if to and result["sent"] < args.count and now >= next_send:
            sock.sendto(rtp_packet(args.ssrc, result["sent"], args.payload_type, args.payload_len), to)
            result["sent"] += 1
            next_send += interval
        try:
            data, source = sock.recvfrom(4096)
        except BlockingIOError:
            done_sending = not to or result["sent"] >= args.count
            if done_sending and result["received"] >= args.expect:
                break
            time.sleep(min(0.001, max(0.0, next_send - time.monotonic())) if not done_sending else 0.001)
            continue
        result["received"] += 1
        key = "%s:%d" % (source[0], source[1])
        result["sources"][key] = result["sources"].get(key, 0) + 1
        if expect_from and (source[0], source[1]) != expect_from:
            result["wrong_source"] += 1
        checked = check_packet(data)
        if checked:
            result["intact"] += 1
            ssrcs.add(checked[0])
            if result["first_seq"] is None:
                result["first_seq"] = checked[1]
            result["last_seq"] = checked[1]
    result["ssrcs"] = sorted("0x%x" % s for s in ssrcs)
    result["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(result, sort_keys=True))
    ok = result["received"] >= args.expect and result["wrong_source"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
