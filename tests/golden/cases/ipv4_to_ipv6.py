"""An IPv4 leg on the access side and an IPv6 leg on the core side: every frame relayed toward
the core grows by 20 bytes (IPv6's 40-byte header for IPv4's 20), every frame toward the access
side shrinks by 20. The IPv4 TOS becomes the IPv6 traffic class and back; IPv6 → IPv4 sets ID 0
and DF (RFC 7915 §5.1); the UDP checksum is computed over the new pseudo-header, also for a
datagram that came over IPv4 without one."""

import lab
from cases import Case
from synthetic_frames import Stream, records

NEEDS_TESTDATA = False
SUMMARY = "IPv4 access leg <-> IPv6 core leg: frames grow/shrink by 20 bytes, TOS <-> traffic class"
EF, AF41 = 0xB8, 0x88


def build(testdata):
    session = lab.Session(8, lab.Leg("access0", (lab.ACCESS_V4, 20300), (lab.CARRIER.address, 4000)),
                          lab.Leg("core0", (lab.CORE_V6, 20302), (lab.CONTACT_CENTER_V6.address, 6000)))
    carrier = Stream(lab.CARRIER, 4000, lab.ACCESS_MAC, lab.ACCESS_V4, 20300, 0x8A000001, tos=EF)
    center = Stream(lab.CONTACT_CENTER_V6, 6000, lab.CORE_MAC, lab.CORE_V6, 20302, 0x8B000001,
                    traffic_class=AF41, flow_label=0xABCDE)
    access, core = [], []
    for i in range(50):
        access.append(carrier.rtp(udp_checksum=0) if i == 7 else carrier.rtp())
        core.append(center.rtp())
        if i % 25 == 24:
            access.append(carrier.rtcp())
            core.append(center.rtcp())
    return Case(lab.two_interface_lab([session]), {"access0": records(access), "core0": records(core)})
