"""Faulty and hostile frames, one fault each, interleaved with a session's valid media, which
must keep flowing around them, exactly and in order. Each bad frame must be dropped under its
own reason: a forged source after latching and another port of the latched host (RTP bleed),
a source other than the SDP's before latching, truncated frames, bad checksums, fragments,
options, TTL 0, impossible source, wrong lengths, not RTP, UDP to a media port no session
owns, to a port or address that is not media, ARP not for the SBC and malformed ARP.
A padded short RTCP frame and a datagram without UDP checksum must be relayed: the padding
is not part of the packet, and the missing checksum stays missing."""

import frame_build
import lab
from cases import Case
from synthetic_frames import Stream, arp, patched, records, with_ipv4_checksum, with_ipv4_options

NEEDS_TESTDATA = False
SUMMARY = "valid media both ways interleaved with 25 faulty or forged frames, each dropped under its reason"
ACCESS_PORT, CORE_PORT = 20400, 20402
STRANGER = lab.Host("198.18.1.50", "02:5b:c0:00:01:50")  # asks ARP questions, is no next hop
OTHER_STATION_MAC = "02:5b:c0:00:01:77"


def build(testdata):
    session = lab.Session(9, lab.Leg("access0", (lab.ACCESS_V4, ACCESS_PORT), (lab.CARRIER.address, 4000)),
                          lab.Leg("core0", (lab.CORE_V4, CORE_PORT), (lab.CONTACT_CENTER.address, 6000)))
    carrier = Stream(lab.CARRIER, 4000, lab.ACCESS_MAC, lab.ACCESS_V4, ACCESS_PORT, 0x9A000001)
    center = Stream(lab.CONTACT_CENTER, 6000, lab.CORE_MAC, lab.CORE_V4, CORE_PORT, 0x9B000001)
    # Frames that are not part of the stream: a throwaway stream builds them.
    scratch = Stream(lab.CARRIER, 4000, lab.ACCESS_MAC, lab.ACCESS_V4, ACCESS_PORT, 0x9A0000FF)
    good = scratch.rtp()

    hostile = [
        scratch.rtp(src=lab.INTRUDER),  # media-source-mismatch: forged source after the latch
        scratch.rtp(src_port=4002),  # media-source-mismatch: the latched host, another port
        good[:30],  # truncated-frame: the IPv4 header cut short
        good[:10],  # truncated-frame: not even an Ethernet header
        patched(good, 40, bytes([good[40] ^ 0xFF, good[41]])),  # udp-bad-checksum
        patched(good, 24, bytes([good[24] ^ 0x01, good[25]])),  # ip-bad-checksum
        # Fragments for the SBC's own addresses are the kernel's (golden.ip_fragments); these are not.
        scratch.rtp(flags_fragment=frame_build.IPV4_MF, dst="198.18.1.2"),  # ip-fragment: first fragment
        scratch.rtp(flags_fragment=185, dst="198.18.1.2"),  # ip-fragment: a later fragment (offset 1480)
        scratch.rtp(dst_port=20500),  # media-no-session: a media port no session owns
        scratch.rtp(dst_port=5060),  # no-exception-path: the SBC's own port, no kernel path here
        scratch.rtp(dst="198.18.1.2"),  # not-for-us: our MAC, not our address
        scratch.rtp(dst_mac=OTHER_STATION_MAC),  # not-for-us: another station's frame
        scratch.rtp(ttl=0),  # ip-ttl-expired
        with_ipv4_options(good),  # ip-options
        scratch.rtp(src=lab.Host("127.0.0.1", lab.CARRIER.mac)),  # ip-bad-source
        scratch.rtp(payload=bytes(20)),  # media-not-rtp: version 0
        scratch.rtp(payload=frame_build.rtp(8, 1, 1, 1, b"")[:10]),  # media-not-rtp: shorter than RTP's header
        patched(good, 38, (len(good) - 34 + 2).to_bytes(2, "big")),  # udp-bad-length
        with_ipv4_checksum(patched(good, 16, (len(good) - 14 + 2).to_bytes(2, "big"))),  # ip-bad-length
        frame_build.ethernet("01:80:c2:00:00:0e", lab.CARRIER.mac, 0x88CC, bytes(46)),  # unknown-ethertype (LLDP)
        arp("ff:ff:ff:ff:ff:ff", STRANGER.mac, STRANGER.address, "198.18.1.99"),  # not-for-us
        arp("ff:ff:ff:ff:ff:ff", STRANGER.mac, STRANGER.address, lab.ACCESS_V4),  # no-exception-path
        arp("ff:ff:ff:ff:ff:ff", STRANGER.mac, STRANGER.address, lab.ACCESS_V4, hardware_length=8),  # arp-malformed
    ]

    access = [carrier.rtp(), carrier.rtcp()]
    for frame in hostile:
        access += [frame, carrier.rtp()]
    access.append(carrier.rtp(udp_checksum=0))  # relayed, still without a checksum
    access.append(_padded(frame_build.udp_frame(lab.ACCESS_MAC, lab.CARRIER.mac, lab.CARRIER.address, 4001,
                                                lab.ACCESS_V4, ACCESS_PORT + 1,
                                                frame_build.rtcp_receiver_report(0x9A000001))))
    access += [carrier.rtp() for _ in range(5)]

    core = [center.rtp(src=lab.Host("198.18.2.66", "02:5b:c0:00:02:66")),  # media-unexpected-source
            center.rtp(src=lab.Host(lab.CORE_V4, lab.CONTACT_CENTER.mac))]  # media-unexpected-source: ours
    core += [center.rtp() for _ in range(20)] + [center.rtcp()]
    return Case(lab.two_interface_lab([session]), {"access0": records(access), "core0": records(core)})


def _padded(frame):
    """Ethernet's minimum: short frames are padded to 60 bytes on the wire."""
    return frame + bytes(max(0, 60 - len(frame)))

