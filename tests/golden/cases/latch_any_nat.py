"""A carrier behind NAT: its leg has no usable SDP address (0.0.0.0:0, latch-any), so the SBC
latches onto whoever sends first and answers to that address and port, through the MAC its
packets came from (the NAT router: no configured next hop). Before the latch the other side's
media has nowhere to go (no-neighbor); the SBC's own address is never latched onto; after the
latch a second source is refused (media-source-mismatch). Both legs are on the access
interface (two peers on one side), so every frame in and out passes one port and the order
is fixed."""

import lab
from cases import Case
from synthetic_frames import Stream, records

NEEDS_TESTDATA = False
SUMMARY = "latch-any leg behind NAT: latch, answer to the NAT's address/port/MAC, refuse a second source"
NAT_PUBLIC = lab.Host("198.18.1.77", "02:5b:c0:00:01:fe")  # the router's MAC: not a configured neighbor
NAT_PORT = 31000
LATCH_ANY_PORT, KNOWN_PORT = 20600, 20602


def build(testdata):
    session = lab.Session(10, lab.Leg("access0", (lab.ACCESS_V4, LATCH_ANY_PORT), lab.UNKNOWN_PEER, latch_any=True),
                          lab.Leg("access0", (lab.ACCESS_V4, KNOWN_PORT), (lab.CARRIER.address, 4100)))
    behind_nat = Stream(NAT_PUBLIC, NAT_PORT, lab.ACCESS_MAC, lab.ACCESS_V4, LATCH_ANY_PORT, 0xAA000001)
    carrier = Stream(lab.CARRIER, 4100, lab.ACCESS_MAC, lab.ACCESS_V4, KNOWN_PORT, 0xAB000001)
    frames = [
        carrier.rtp(),  # no-neighbor: the NATed side has not spoken yet
        behind_nat.rtp(src=lab.Host(lab.ACCESS_V4, NAT_PUBLIC.mac)),  # media-unexpected-source: our own address
    ]
    for i in range(30):
        frames += [behind_nat.rtp(), carrier.rtp()]
        if i == 10:
            frames.append(behind_nat.rtp(src=lab.Host("198.18.1.78", NAT_PUBLIC.mac)))  # media-source-mismatch
        if i == 20:
            frames += [behind_nat.rtcp(), carrier.rtcp()]
    return Case(lab.two_interface_lab([session]), {"access0": records(frames)})
