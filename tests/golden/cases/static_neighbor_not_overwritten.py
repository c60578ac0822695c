"""A next hop configured with `neighbor IP MAC` keeps that MAC: ARP and neighbour discovery
from the access side that claim the carrier's addresses for another MAC (a gratuitous ARP, an
ARP reply to the SBC, an unsolicited neighbour advertisement) must not redirect the media sent
to the carrier. The claims arrive on the access port before the core's media is read (sbcd
reads its ports in turn, access first), and all of that media must still go to the
configured MACs."""

import struct

import frame_build
import inet_checksum
import lab
from cases import Case
from synthetic_frames import Stream, arp, records

NEEDS_TESTDATA = False
SUMMARY = "ARP/ND claiming a static next hop's address do not change where media goes"
POISON_MAC = "02:5b:c0:00:01:99"


def build(testdata):
    sessions = [
        lab.Session(12, lab.Leg("access0", (lab.ACCESS_V4, 20800), (lab.CARRIER.address, 4000)),
                    lab.Leg("core0", (lab.CORE_V4, 20802), (lab.CONTACT_CENTER.address, 6000))),
        lab.Session(13, lab.Leg("access0", (lab.ACCESS_V6, 20810), (lab.CARRIER_V6.address, 4010)),
                    lab.Leg("core0", (lab.CORE_V6, 20812), (lab.CONTACT_CENTER_V6.address, 6010))),
    ]
    claims = [
        arp("ff:ff:ff:ff:ff:ff", POISON_MAC, lab.CARRIER.address, lab.CARRIER.address),  # gratuitous
        arp(lab.ACCESS_MAC, POISON_MAC, lab.CARRIER.address, lab.ACCESS_V4, opcode=2, target_mac=lab.ACCESS_MAC),
        _unsolicited_advertisement(lab.CARRIER_V6.address, POISON_MAC),
    ]
    center = Stream(lab.CONTACT_CENTER, 6000, lab.CORE_MAC, lab.CORE_V4, 20802, 0xC2000001)
    center_v6 = Stream(lab.CONTACT_CENTER_V6, 6010, lab.CORE_MAC, lab.CORE_V6, 20812, 0xC2000002)
    core = []
    for _ in range(40):
        core += [center.rtp(), center_v6.rtp()]
    return Case(lab.two_interface_lab(sessions), {"access0": records(claims), "core0": records(core)})


def _unsolicited_advertisement(address, mac):
    """A neighbour advertisement to all nodes (RFC 4861 §4.4, override flag set) saying that
    `address` is at `mac`: hop limit 255, valid checksum, target link-layer address option."""
    all_nodes = "ff02::1"
    body = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + inet_checksum.packed(address)
    body += bytes([2, 1]) + frame_build.mac_bytes(mac)
    pseudo = inet_checksum.packed(address) + inet_checksum.packed(all_nodes) + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", inet_checksum.checksum(pseudo + body)) + body[4:]
    header = frame_build.ipv6_header(address, all_nodes, len(body), next_header=58, hop_limit=255)
    return frame_build.ethernet("33:33:00:00:00:01", mac, frame_build.ETHERTYPE_IPV6, header + body)
