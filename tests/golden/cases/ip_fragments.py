"""IP fragments among a session's media, as a NIC hands them over one by one. Those for one of
the SBC's own addresses are the pieces of a SIP message larger than a frame (RFC 3261 18.1.1):
they belong to the kernel behind the exception path, which reassembles them, so they must go
there whole (counted no-exception-path here: these labs have no kernel behind sbcd), and never
to a media flow, not even a first fragment whose UDP header names the session's port (it must
not latch the leg either). Fragments for other addresses, or for the other interface's address,
are dropped as ip-fragment, and a fragment for the SBC still fails the checks any packet does
(TTL 0). The media around them flows on unchanged."""

import struct

import frame_build
import lab
from cases import Case
from synthetic_frames import Stream, records

NEEDS_TESTDATA = False
SUMMARY = "IPv4 and IPv6 fragments for the SBC go to the exception side whole, never to media; others dropped"
ACCESS_PORT, CORE_PORT = 20600, 20602
SIP_PORT = 5060
FRAGMENT_DATA = 1480  # what a 1500-byte MTU carries after the IPv4 header


def ipv4_fragments(src, dst, src_port, dst_port, payload, ident, ttl=64):
    """A UDP datagram to the SBC cut into IPv4 fragments of FRAGMENT_DATA bytes, as Ethernet
    frames from `src` (a lab.Host)."""
    datagram = frame_build.udp(src.address, dst, src_port, dst_port, payload)
    frames = []
    for offset in range(0, len(datagram), FRAGMENT_DATA):
        piece = datagram[offset:offset + FRAGMENT_DATA]
        more = frame_build.IPV4_MF if offset + FRAGMENT_DATA < len(datagram) else 0
        header = frame_build.ipv4_header(src.address, dst, len(piece), ident=ident, ttl=ttl,
                                         flags_fragment=more | offset // 8)
        frames.append(frame_build.ethernet(lab.ACCESS_MAC, src.mac, frame_build.ETHERTYPE_IPV4, header + piece))
    return frames


def ipv6_fragments(src, dst, src_port, dst_port, payload, ident):
    """The same over IPv6: a fragment header (RFC 8200 4.5) before each piece."""
    datagram = frame_build.udp(src.address, dst, src_port, dst_port, payload)
    frames = []
    for offset in range(0, len(datagram), 1448):
        piece = datagram[offset:offset + 1448]
        more = 1 if offset + 1448 < len(datagram) else 0
        fragment_header = struct.pack("!BBHI", frame_build.PROTO_UDP, 0, offset | more, ident)
        header = frame_build.ipv6_header(src.address, dst, len(fragment_header) + len(piece), next_header=44)
        frames.append(frame_build.ethernet(lab.ACCESS_MAC, src.mac, frame_build.ETHERTYPE_IPV6,
                                           header + fragment_header + piece))
    return frames


def sip_message(size):
    """An OPTIONS request padded with a long header to `size` bytes: too big for one frame."""
    head = (f"OPTIONS sip:{lab.ACCESS_V4} SIP/2.0\r\nVia: SIP/2.0/UDP {lab.CARRIER.address};branch=z9hG4bK1\r\n"
            "Max-Forwards: 70\r\nCall-ID: fragments@carrier\r\nCSeq: 1 OPTIONS\r\nX-Padding: ")
    return (head + "p" * (size - len(head) - 4) + "\r\n\r\n").encode()


def build(testdata):
    session = lab.carrier_to_contact_center(12, ACCESS_PORT, CORE_PORT, 4000, 6000)
    carrier = Stream(lab.CARRIER, 4000, lab.ACCESS_MAC, lab.ACCESS_V4, ACCESS_PORT, 0xF4000001)
    center = Stream(lab.CONTACT_CENTER, 6000, lab.CORE_MAC, lab.CORE_V4, CORE_PORT, 0xF5000001)
    big = sip_message(4000)

    sip_v4 = ipv4_fragments(lab.CARRIER, lab.ACCESS_V4, 5060, SIP_PORT, big, ident=0x0F01)  # three pieces
    sip_v6 = ipv6_fragments(lab.CARRIER_V6, lab.ACCESS_V6, 5060, SIP_PORT, big, ident=0x0F03)
    # A first fragment whose UDP header names the session's own port, before any media: it must
    # neither be relayed nor latch the leg.
    media_port = ipv4_fragments(lab.CARRIER, lab.ACCESS_V4, 4000, ACCESS_PORT, big, ident=0x0F02)[0]
    elsewhere = ipv4_fragments(lab.CARRIER, "198.18.1.2", 5060, SIP_PORT, big, ident=0x0F04)
    not_ours = [
        elsewhere[0], elsewhere[-1],  # ip-fragment: an address on the link that is not the SBC's
        ipv4_fragments(lab.CARRIER, lab.CORE_V4, 5060, SIP_PORT, big, ident=0x0F05)[1],  # ip-fragment: core0's
        ipv6_fragments(lab.CARRIER_V6, "2001:db8:1::99", 5060, SIP_PORT, big, ident=0x0F06)[0],  # ip-fragment
        ipv4_fragments(lab.CARRIER, lab.ACCESS_V4, 5060, SIP_PORT, big, ident=0x0F07, ttl=0)[0],  # ip-ttl-expired
    ]

    access = [media_port, carrier.rtp()]
    for frame in sip_v4 + sip_v6 + not_ours:
        access += [frame, carrier.rtp()]
    access += [carrier.rtcp()] + [carrier.rtp() for _ in range(5)]
    core = [center.rtp() for _ in range(15)] + [center.rtcp()]
    return Case(lab.two_interface_lab([session]), {"access0": records(access), "core0": records(core)})
