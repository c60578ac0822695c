"""The Internet checksum (RFC 1071), summed from scratch over whole headers and datagrams.

The SBC updates checksums incrementally (RFC 1624); the expectations here never do, so an
error in either method shows up as a difference.
"""

import ipaddress
import struct


def ones_complement_sum(data):
    """16-bit one's complement sum of `data` (an odd length is padded with a zero byte)."""
    if len(data) % 2:
        data = bytes(data) + b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data):
    """The value to store in a checksum field whose own bytes in `data` are zero."""
    return ~ones_complement_sum(data) & 0xFFFF


def is_valid(data):
    """True when `data` (checksum field included) sums to all ones."""
    return ones_complement_sum(data) == 0xFFFF


def pseudo_header(src, dst, protocol, length):
    """RFC 768 (IPv4) or RFC 8200 §8.1 (IPv6) pseudo-header; src/dst are packed addresses."""
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, protocol, length)
    return src + dst + struct.pack("!IxxxB", length, protocol)


def udp_checksum(src, dst, datagram):
    """The UDP checksum for `datagram` (its checksum bytes are ignored). A computed zero is sent
    as 0xffff, because zero on the wire means "no checksum" (RFC 768)."""
    zeroed = datagram[:6] + b"\0\0" + datagram[8:]
    value = checksum(pseudo_header(src, dst, 17, len(datagram)) + zeroed)
    return value or 0xFFFF


def udp_checksum_is_valid(src, dst, datagram):
    return is_valid(pseudo_header(src, dst, 17, len(datagram)) + datagram)


def packed(address):
    """'198.18.1.1' or '2001:db8::1' → 4 or 16 bytes."""
    return ipaddress.ip_address(address).packed
