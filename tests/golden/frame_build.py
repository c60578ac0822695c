"""Builds Ethernet frames layer by layer: what the synthetic cases send, and what the
reference model expects the SBC to send. Every checksum is computed here from scratch unless a
case asks for a specific (wrong) value.
"""

import struct

import inet_checksum
from inet_checksum import packed

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_ARP = 0x0806
ETHERTYPE_VLAN = 0x8100
PROTO_UDP = 17
IPV4_DF = 0x4000
IPV4_MF = 0x2000

AUTO = object()  # "compute the right checksum"


def mac_bytes(text):
    return bytes(int(part, 16) for part in text.split(":"))


def ethernet(dst_mac, src_mac, ethertype, payload, vlan=0):
    """An Ethernet II frame, with an 802.1Q tag (priority 0) when vlan is not 0."""
    header = mac_bytes(dst_mac) + mac_bytes(src_mac)
    if vlan:
        header += struct.pack("!HH", ETHERTYPE_VLAN, vlan)
    return header + struct.pack("!H", ethertype) + payload


def ipv4_header(src, dst, payload_length, protocol=PROTO_UDP, tos=0, ident=0, flags_fragment=IPV4_DF,
                ttl=64, header_checksum=AUTO):
    header = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + payload_length, ident, flags_fragment,
                                   ttl, protocol, 0, packed(src), packed(dst)))
    value = inet_checksum.checksum(header) if header_checksum is AUTO else header_checksum
    struct.pack_into("!H", header, 10, value)
    return bytes(header)


def ipv6_header(src, dst, payload_length, next_header=PROTO_UDP, traffic_class=0, flow_label=0, hop_limit=64):
    first_word = (6 << 28) | (traffic_class << 20) | flow_label
    return struct.pack("!IHBB16s16s", first_word, payload_length, next_header, hop_limit, packed(src), packed(dst))


def udp(src, dst, src_port, dst_port, payload, udp_checksum=AUTO):
    """A UDP datagram between two addresses (text); AUTO computes the checksum."""
    datagram = struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload
    if udp_checksum is AUTO:
        udp_checksum = inet_checksum.udp_checksum(packed(src), packed(dst), datagram)
    return datagram[:6] + struct.pack("!H", udp_checksum) + datagram[8:]


def ip_udp(src, dst, src_port, dst_port, payload, udp_checksum=AUTO, **ip_fields):
    """IPv4 or IPv6 (by the addresses) header plus UDP datagram; returns (ethertype, bytes)."""
    datagram = udp(src, dst, src_port, dst_port, payload, udp_checksum)
    if ":" in src:
        return ETHERTYPE_IPV6, ipv6_header(src, dst, len(datagram), **ip_fields) + datagram
    return ETHERTYPE_IPV4, ipv4_header(src, dst, len(datagram), **ip_fields) + datagram


def udp_frame(dst_mac, src_mac, src, src_port, dst, dst_port, payload, vlan=0, udp_checksum=AUTO, **ip_fields):
    ethertype, packet = ip_udp(src, dst, src_port, dst_port, payload, udp_checksum, **ip_fields)
    return ethernet(dst_mac, src_mac, ethertype, packet, vlan)


def rtp(payload_type, sequence, timestamp, ssrc, payload, marker=False):
    """An RTP packet (RFC 3550 §5.1), version 2, no CSRCs or extension."""
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | payload_type, sequence & 0xFFFF,
                       timestamp & 0xFFFFFFFF, ssrc) + payload


def rtcp_receiver_report(ssrc):
    """The smallest RTCP packet: an RR with no report blocks (RFC 3550 §6.4.2), 8 bytes."""
    return struct.pack("!BBHI", 0x80, 201, 1, ssrc)


def rtcp_sender_report(ssrc, ntp_seconds, rtp_timestamp, packets, octets):
    """An SR with no report blocks (RFC 3550 §6.4.1), 28 bytes."""
    return struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, ntp_seconds, 0, rtp_timestamp, packets, octets)


def pcma_silence(samples=160):
    """G.711 A-law silence (0xd5), 20 ms at 8 kHz by default."""
    return b"\xd5" * samples
