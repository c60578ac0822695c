#!/usr/bin/env python3
"""Sends malformed and forged frames from a namespace host straight onto its link (AF_PACKET),
each kind a known number of times, so a test can check that sbcd counted every one under the
right drop reason and kept relaying the calls that were up. Prints what it sent as JSON.
"""
import argparse
import json
import socket
import struct


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ipv4(src, dst, payload, proto=17, flags_fragment=0x4000, ttl=64, ihl=5, options=b""):
    total = 4 * ihl + len(payload)
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 0x1234, flags_fragment, ttl, proto, 0,
                         socket.inet_aton(src), socket.inet_aton(dst)) + options
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def udp(src, sport, dst, dport, payload):
    length = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, length)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    value = checksum(pseudo + header + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, value) + payload


RTP = struct.pack("!BBHII", 0x80, 0, 1, 160, 0xBAD) + bytes(160)


def build(kind, a):
    eth = mac(a.dst_mac) + mac(a.src_mac) + b"\x08\x00"
    good = lambda sport=a.sport, src=a.src: ipv4(src, a.dst, udp(src, sport, a.dst, a.dport, RTP))
    if kind == "truncated-frame":          # an IPv4 header cut off after 10 bytes
        return eth + good()[:10]
    if kind == "ip-bad-checksum":
        frame = bytearray(good())
        frame[10] ^= 0xFF
        return eth + bytes(frame)
    if kind == "udp-bad-checksum":
        frame = bytearray(good())
        frame[26] ^= 0xFF                  # UDP checksum (IP header 20 + 6)
        return eth + bytes(frame)
    if kind == "ip-fragment":              # first fragment, more fragments follow
        return eth + ipv4(a.src, a.dst, udp(a.src, a.sport, a.dst, a.dport, RTP), flags_fragment=0x2000)
    if kind == "ip-options":
        return eth + ipv4(a.src, a.dst, udp(a.src, a.sport, a.dst, a.dport, RTP), ihl=6, options=b"\x01\x01\x01\x00")
    if kind == "ip-bad-length":            # IP says longer than the frame
        frame = bytearray(good())
        struct.pack_into("!H", frame, 2, len(frame) + 100)
        frame[10:12] = b"\0\0"
        frame[10:12] = struct.pack("!H", checksum(bytes(frame[:20])))
        return eth + bytes(frame)
    if kind == "media-source-mismatch":    # a forged source port for the latched session
        return eth + good(sport=a.sport + 2)
    if kind == "media-no-session":         # a media port no session owns
        return eth + ipv4(a.src, a.dst, udp(a.src, a.sport, a.dst, a.dport + 100, RTP))
    raise ValueError(kind)


KINDS = ["truncated-frame", "ip-bad-checksum", "udp-bad-checksum", "ip-options",
         "ip-bad-length", "media-source-mismatch", "media-no-session"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--sport", type=int, required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--dport", type=int, required=True)
    ap.add_argument("--each", type=int, default=10)
    a = ap.parse_args()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((a.iface, 0))
    sent = {}
    for kind in KINDS:
        frame = build(kind, a)
        for _ in range(a.each):
            sock.send(frame)
        sent[kind] = a.each
    print(json.dumps(sent, sort_keys=True))


if __name__ == "__main__":
    main()
