"""Names the header field at a byte offset of a frame, so that a failed comparison says
"ipv4.checksum" or "udp.dst_port" rather than "byte 40". Walks Ethernet, 802.1Q, IPv4/IPv6,
UDP and the RTP/RTCP fixed header as far as the frame's own bytes allow.
"""

import struct

_ETHERNET = [(0, 6, "eth.dst"), (6, 12, "eth.src")]
_IPV4 = [(0, 1, "ipv4.version_ihl"), (1, 2, "ipv4.tos"), (2, 4, "ipv4.total_length"), (4, 6, "ipv4.id"),
         (6, 8, "ipv4.flags_fragment"), (8, 9, "ipv4.ttl"), (9, 10, "ipv4.protocol"), (10, 12, "ipv4.checksum"),
         (12, 16, "ipv4.src"), (16, 20, "ipv4.dst")]
_IPV6 = [(0, 4, "ipv6.version_class_flow"), (4, 6, "ipv6.payload_length"), (6, 7, "ipv6.next_header"),
         (7, 8, "ipv6.hop_limit"), (8, 24, "ipv6.src"), (24, 40, "ipv6.dst")]
_UDP = [(0, 2, "udp.src_port"), (2, 4, "udp.dst_port"), (4, 6, "udp.length"), (6, 8, "udp.checksum")]
_RTP = [(0, 1, "rtp.version_flags"), (1, 2, "rtp.marker_payload_type"), (2, 4, "rtp.sequence"),
        (4, 8, "rtp.timestamp"), (8, 12, "rtp.ssrc")]
_RTCP = [(0, 1, "rtcp.version_count"), (1, 2, "rtcp.packet_type"), (2, 4, "rtcp.length"), (4, 8, "rtcp.ssrc")]


def fields(frame):
    """[(start, end, name)] covering the frame from its first byte."""
    out = list(_ETHERNET)
    offset = 12
    ethertype = _u16(frame, offset)
    if ethertype == 0x8100:
        out += [(12, 14, "vlan.tpid"), (14, 16, "vlan.tci")]
        offset = 16
        ethertype = _u16(frame, offset)
    out.append((offset, offset + 2, "eth.type"))
    l3 = offset + 2
    if ethertype == 0x0800 and len(frame) > l3:
        out += _shift(_IPV4, l3)
        l4, protocol = l3 + (frame[l3] & 0xF) * 4, _byte(frame, l3 + 9)
    elif ethertype == 0x86DD:
        out += _shift(_IPV6, l3)
        l4, protocol = l3 + 40, _byte(frame, l3 + 6)
    else:
        return out + [(l3, len(frame), "l3.bytes")]
    if protocol != 17:
        return out + [(l4, len(frame), "l4.bytes")]
    out += _shift(_UDP, l4)
    payload = l4 + 8
    packet_type = _byte(frame, payload + 1)
    out += _shift(_RTCP if packet_type is not None and 192 <= packet_type <= 223 else _RTP, payload)
    end = out[-1][1]
    return out + [(end, max(end, len(frame)), "payload")]


def name_at(frame, offset):
    for start, end, name in fields(frame):
        if start <= offset < end:
            return f"{name}+{offset - start}" if end - start > 2 else name
    return "past the end"


def _shift(layout, base):
    return [(base + s, base + e, n) for s, e, n in layout]


def _u16(frame, offset):
    return struct.unpack_from("!H", frame, offset)[0] if len(frame) >= offset + 2 else None


def _byte(frame, offset):
    return frame[offset] if len(frame) > offset else None
