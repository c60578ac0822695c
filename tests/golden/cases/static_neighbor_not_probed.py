"""A next hop configured with `neighbor IP MAC` is known: the SBC has no reason to ask for it
with ARP or neighbour solicitations. With media flowing both ways, nothing but the relayed
media may leave the ports (in the other cases such probes are set aside and noted)."""

import lab
from cases import Case
from synthetic_frames import Stream, records

NEEDS_TESTDATA = False
SUMMARY = "static next hops are not probed: only relayed media leaves the ports"


def build(testdata):
    session = lab.Session(11, lab.Leg("access0", (lab.ACCESS_V4, 20700), (lab.CARRIER.address, 4000)),
                          lab.Leg("core0", (lab.CORE_V4, 20702), (lab.CONTACT_CENTER.address, 6000)))
    carrier = Stream(lab.CARRIER, 4000, lab.ACCESS_MAC, lab.ACCESS_V4, 20700, 0xB1000001)
    center = Stream(lab.CONTACT_CENTER, 6000, lab.CORE_MAC, lab.CORE_V4, 20702, 0xB2000001)
    return Case(lab.two_interface_lab([session]),
                {"access0": records([carrier.rtp() for _ in range(20)]),
                 "core0": records([center.rtp() for _ in range(20)])},
                probes_allowed=False)
