#!/usr/bin/env python3
"""Announces an address with a gratuitous ARP (sender IP == target IP), as a host that takes
over a virtual IP does."""
import socket
import struct
import sys

iface, ip, mac_text = sys.argv[1:4]
mac = bytes(int(x, 16) for x in mac_text.split(":"))
addr = socket.inet_aton(ip)
frame = b"\xff" * 6 + mac + b"\x08\x06"
frame += struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + addr + b"\0" * 6 + addr
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((iface, 0))
sock.send(frame)
