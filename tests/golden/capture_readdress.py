"""Aims frames of a real capture at the SBC: new MACs, addresses and UDP ports, everything else
of the packet (IPv4 ID, flags, TOS, TTL, payload, Ethernet padding) as captured, and both
checksums computed afresh (a datagram captured without a UDP checksum stays without one).
"""

import ipaddress
import os
import struct
from dataclasses import dataclass

import frame_build
import pcap_file
from pcap_file import Record


@dataclass(frozen=True)
class UdpView:
    src: str
    src_port: int
    dst: str
    dst_port: int


def udp_view(frame):
    """Addresses and ports of an untagged IPv4/UDP frame without options, else None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[14] != 0x45 or frame[23] != 17:
        return None
    src_port, dst_port = struct.unpack_from("!HH", frame, 34)
    return UdpView(str(ipaddress.IPv4Address(frame[26:30])), src_port, str(ipaddress.IPv4Address(frame[30:34])),
                   dst_port)


def readdress(record, src_host, src_port, dst_mac, dst, dst_port):
    """A copy of `record` (an IPv4/UDP frame, see udp_view) from src_host:src_port to dst:dst_port."""
    frame = record.data
    tos, total_length, ident, flags_fragment, ttl = struct.unpack_from("!xBHHHB", frame, 14)
    udp_length, udp_checksum = struct.unpack_from("!HH", frame, 38)
    payload = frame[42:14 + total_length]
    padding = frame[14 + total_length:]
    checksum = frame_build.AUTO if udp_checksum else 0
    rebuilt = frame_build.udp_frame(dst_mac, src_host.mac, src_host.address, src_port, dst, dst_port, payload,
                                    udp_checksum=checksum, tos=tos, ident=ident, flags_fragment=flags_fragment,
                                    ttl=ttl)
    assert udp_length == 8 + len(payload), "a capture whose UDP length disagrees with IP is not a stream to relay"
    return Record(rebuilt + padding, record.seconds, record.microseconds)


def udp_stream(testdata, capture, packets):
    """The IPv4/UDP records of a one-stream capture in the shared test data, checked to be as
    many as its SOURCES.md says, so a changed file fails loudly instead of testing less."""
    records = [r for r in pcap_file.read(os.path.join(testdata, capture)) if udp_view(r.data)]
    assert len(records) == packets, f"{capture}: {len(records)} UDP packets, expected {packets}"
    return records
