#!/usr/bin/env python3
"""Reads a pcap (Ethernet or Linux cooked) and prints its UDP/IPv4 packets (and, with --tcp, the
payloads of TCP segments too) as JSON lines: time, proto, src, sport, dst, dport, payload (hex).
Filters: --src/--dst address, --not-port."""
import argparse
import json
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
        linktype = struct.unpack(endian + "I", header[20:24])[0]
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            sec, frac, caplen, _ = struct.unpack(endian + "IIII", record)
            data = f.read(caplen)
            yield sec + frac / (1e9 if nano else 1e6), linktype, data


def udp4(linktype, data, tcp=False):
    if linktype == 1:  # Ethernet
        offset, ethertype = 14, struct.unpack("!H", data[12:14])[0]
        if ethertype == 0x8100:
            offset, ethertype = 18, struct.unpack("!H", data[16:18])[0]
    elif linktype == 113:  # Linux cooked
        offset, ethertype = 16, struct.unpack("!H", data[14:16])[0]
    else:
        return None
    if ethertype != 0x0800 or len(data) < offset + 20:
        return None
    ihl = (data[offset] & 15) * 4
    proto = data[offset + 9]
    if proto != 17 and not (tcp and proto == 6):
        return None
    total = struct.unpack("!H", data[offset + 2:offset + 4])[0]
    src = ".".join(str(b) for b in data[offset + 12:offset + 16])
    dst = ".".join(str(b) for b in data[offset + 16:offset + 20])
    u = offset + ihl
    if proto == 6:
        sport, dport = struct.unpack("!HH", data[u:u + 4])
        header = (data[u + 12] >> 4) * 4
        return "tcp", src, sport, dst, dport, data[u + header:offset + total]
    sport, dport, length = struct.unpack("!HHH", data[u:u + 6])
    return "udp", src, sport, dst, dport, data[u + 8:u + length]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pcap")
    parser.add_argument("--src")
    parser.add_argument("--dst")
    parser.add_argument("--not-port", type=int)
    parser.add_argument("--tcp", action="store_true", help="TCP segments' payloads too")
    args = parser.parse_args()
    for when, linktype, data in packets(args.pcap):
        u = udp4(linktype, data, args.tcp)
        if not u:
            continue
        proto, src, sport, dst, dport, payload = u
        if proto == "tcp" and not payload:
            continue
        if args.src and src != args.src or args.dst and dst != args.dst:
            continue
        if args.not_port and args.not_port in (sport, dport):
            continue
        print(json.dumps({"time": when, "proto": proto, "src": src, "sport": sport, "dst": dst, "dport": dport,
                          "payload": payload.hex()}))


if __name__ == "__main__":
    sys.exit(main())
