"""Frames made up for the synthetic golden cases: RTP and RTCP streams between a lab host and the SBC,
20 ms apart, with every header field a case may want to vary.
"""

import struct

import frame_build
import inet_checksum
from pcap_file import Record

PACKET_INTERVAL_US = 20000


class Stream:
    """One RTP source (SSRC) sending to the SBC: each call of rtp()/rtcp() makes the next frame."""

    def __init__(self, host, port, sbc_mac, sbc_address, sbc_port, ssrc, payload_type=8, vlan=0, rtcp_mux=False,
                 **ip_fields):
        self.host, self.port = host, port
        self.sbc_mac, self.sbc_address, self.sbc_port = sbc_mac, sbc_address, sbc_port
        self.rtcp_ports = (port, sbc_port) if rtcp_mux else (port + 1, sbc_port + 1)  # (from, to)
        self.ssrc, self.payload_type, self.vlan = ssrc, payload_type, vlan
        self.ip_fields = ip_fields
        self.sequence, self.timestamp, self.sent = 1000, 160000, 0
        self.ident = (ssrc & 0xFF) << 8  # IPv4 ID: distinct per stream, counting up

    def rtp(self, **overrides):
        payload = frame_build.rtp(self.payload_type, self.sequence, self.timestamp, self.ssrc,
                                  frame_build.pcma_silence(), marker=self.sequence == 1000)
        self.sequence += 1
        self.timestamp += 160
        return self._frame((self.port, self.sbc_port), payload, overrides)

    def rtcp(self, **overrides):
        payload = frame_build.rtcp_sender_report(self.ssrc, 3900000000 + self.sent, self.timestamp, self.sent,
                                                 self.sent * 160)
        return self._frame(self.rtcp_ports, payload, overrides)

    def _frame(self, ports, payload, overrides):
        fields = dict(self.ip_fields)
        if ":" not in self.host.address:
            fields.setdefault("ident", (self.ident + self.sent) & 0xFFFF)
        fields.update(overrides)
        src = fields.pop("src", self.host)
        frame = frame_build.udp_frame(fields.pop("dst_mac", self.sbc_mac), src.mac, src.address,
                                      fields.pop("src_port", ports[0]), fields.pop("dst", self.sbc_address),
                                      fields.pop("dst_port", ports[1]), fields.pop("payload", payload),
                                      vlan=fields.pop("vlan", self.vlan), **fields)
        self.sent += 1
        return frame


def records(frames, start_us=0):
    """pcap records, one every PACKET_INTERVAL_US."""
    out = []
    for i, frame in enumerate(frames):
        at = start_us + i * PACKET_INTERVAL_US
        out.append(Record(frame, at // 1000000, at % 1000000))
    return out


def arp(dst_mac, sender_mac, sender_ip, target_ip, opcode=1, target_mac="00:00:00:00:00:00", hardware_length=6):
    """An ARP request (opcode 1) or reply (2) for IPv4 over Ethernet."""
    body = struct.pack("!HHBBH", 1, frame_build.ETHERTYPE_IPV4, hardware_length, 4, opcode)
    body += frame_build.mac_bytes(sender_mac) + inet_checksum.packed(sender_ip)
    body += frame_build.mac_bytes(target_mac) + inet_checksum.packed(target_ip)
    return frame_build.ethernet(dst_mac, sender_mac, frame_build.ETHERTYPE_ARP, body)


def with_ipv4_options(frame):
    """The frame with a 4-byte IPv4 option (NOPs and an end) inserted; lengths and checksum
    made right, so that the options are its only fault."""
    header, rest = bytearray(frame[14:34]), frame[34:]
    header[0] = 0x46
    struct.pack_into("!H", header, 2, struct.unpack_from("!H", header, 2)[0] + 4)
    header += b"\x01\x01\x01\x00"
    struct.pack_into("!H", header, 10, 0)
    struct.pack_into("!H", header, 10, inet_checksum.checksum(bytes(header)))
    return frame[:14] + bytes(header) + rest


def ipv6_with_header(dst_mac, src_host, dst, next_header, extension, src_port, dst_port, payload):
    """An IPv6/UDP frame with one extension header (`extension`, whose first byte will say UDP)
    between the IPv6 header and a valid UDP datagram."""
    datagram = frame_build.udp(src_host.address, dst, src_port, dst_port, payload)
    extension = bytes([frame_build.PROTO_UDP]) + extension[1:]
    header = frame_build.ipv6_header(src_host.address, dst, len(extension) + len(datagram), next_header=next_header)
    return frame_build.ethernet(dst_mac, src_host.mac, frame_build.ETHERTYPE_IPV6, header + extension + datagram)


def patched(frame, offset, value_bytes):
    """The frame with bytes at `offset` replaced (to break exactly one field)."""
    return frame[:offset] + value_bytes + frame[offset + len(value_bytes):]


def with_ipv4_checksum(frame):
    """The untagged IPv4 frame with its header checksum made right again after a patch."""
    header = bytearray(frame[14:34])
    header[10:12] = b"\0\0"
    header[10:12] = inet_checksum.checksum(bytes(header)).to_bytes(2, "big")
    return frame[:14] + bytes(header) + frame[34:]
