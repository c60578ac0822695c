"""The core interface is 802.1Q-tagged (VLAN 102), the access one is not: media relayed from
access to core gains a tag (the frame grows by 4 bytes), media from core to access loses it.
A change of tag is no reason to touch the IP header: IPv4 ID, DF flag and TOS, IPv6 traffic
class and flow label must come out as they went in. Frames with the wrong tag, or none, on
the tagged interface, and a tagged frame on the untagged one, are dropped: wrong-vlan."""

import lab
from cases import Case
from synthetic_frames import Stream, records

NEEDS_TESTDATA = False
SUMMARY = "media between an untagged and a VLAN 102 interface, both ways, v4 and v6; wrong tags dropped"
CORE_VLAN = 102
EF = 0xB8


def build(testdata):
    sessions = [
        lab.Session(5, lab.Leg("access0", (lab.ACCESS_V4, 20200), (lab.CARRIER.address, 4000)),
                    lab.Leg("core0", (lab.CORE_V4, 20202), (lab.CONTACT_CENTER.address, 6000))),
        lab.Session(6, lab.Leg("access0", (lab.ACCESS_V6, 20210), (lab.CARRIER_V6.address, 4010)),
                    lab.Leg("core0", (lab.CORE_V6, 20212), (lab.CONTACT_CENTER_V6.address, 6010))),
    ]
    # IPv4 without DF (a sender that leaves fragmentation to the path), IDs counting up.
    carrier = Stream(lab.CARRIER, 4000, lab.ACCESS_MAC, lab.ACCESS_V4, 20200, 0x7A000001, tos=EF, flags_fragment=0)
    carrier_v6 = Stream(lab.CARRIER_V6, 4010, lab.ACCESS_MAC, lab.ACCESS_V6, 20210, 0x7A000002,
                        traffic_class=EF, flow_label=0x2468A)
    center = Stream(lab.CONTACT_CENTER, 6000, lab.CORE_MAC, lab.CORE_V4, 20202, 0x7B000001, vlan=CORE_VLAN, tos=EF)
    center_v6 = Stream(lab.CONTACT_CENTER_V6, 6010, lab.CORE_MAC, lab.CORE_V6, 20212, 0x7B000002, vlan=CORE_VLAN,
                       flow_label=0x13579)

    access = []
    for i in range(40):
        access += [carrier.rtp(), carrier_v6.rtp()]
        if i % 20 == 19:
            access += [carrier.rtcp(), carrier_v6.rtcp()]
        if i == 10:
            access.append(carrier.rtp(vlan=CORE_VLAN))  # tagged, on the untagged interface
    core = []
    for i in range(40):
        core += [center.rtp(), center_v6.rtp()]
        if i % 20 == 19:
            core += [center.rtcp(), center_v6.rtcp()]
        if i == 5:
            core.append(center.rtp(vlan=0))  # untagged, on the tagged interface
        if i == 15:
            core.append(center.rtp(vlan=CORE_VLAN + 1))  # another VLAN's
    return Case(lab.two_interface_lab(sessions, core_vlan=CORE_VLAN),
                {"access0": records(access), "core0": records(core)})
