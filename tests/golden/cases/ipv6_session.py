"""IPv6 on both legs: one session with RTCP on port + 1, one with rtcp-mux, media both ways.
The traffic class and flow label of each packet must survive the relay. Among the media,
IPv6 faults that must be dropped: a UDP datagram without a checksum (not allowed over IPv6),
a fragment for an address not the SBC's, a hop-by-hop options header, a hop limit of 0, and a
datagram to a media port no session owns."""

import struct

import frame_build
import lab
from cases import Case
from synthetic_frames import Stream, ipv6_with_header, records

NEEDS_TESTDATA = False
SUMMARY = "IPv6 media both ways (RTCP on port+1 and rtcp-mux), traffic class and flow label kept, IPv6 faults dropped"
EF, AF41 = 0xB8, 0x88


def build(testdata):
    sessions = [
        lab.Session(3, lab.Leg("access0", (lab.ACCESS_V6, 20100), (lab.CARRIER_V6.address, 4000)),
                    lab.Leg("core0", (lab.CORE_V6, 20102), (lab.CONTACT_CENTER_V6.address, 6000))),
        lab.Session(4, lab.Leg("access0", (lab.ACCESS_V6, 20110), (lab.CARRIER_V6.address, 4010), rtcp_mux=True),
                    lab.Leg("core0", (lab.CORE_V6, 20112), (lab.CONTACT_CENTER_V6.address, 6010), rtcp_mux=True)),
    ]
    carrier = Stream(lab.CARRIER_V6, 4000, lab.ACCESS_MAC, lab.ACCESS_V6, 20100, 0x6A000001,
                     traffic_class=EF, flow_label=0x12345)
    carrier_mux = Stream(lab.CARRIER_V6, 4010, lab.ACCESS_MAC, lab.ACCESS_V6, 20110, 0x6A000002, rtcp_mux=True,
                         traffic_class=AF41, flow_label=0xFEDCB)
    center = Stream(lab.CONTACT_CENTER_V6, 6000, lab.CORE_MAC, lab.CORE_V6, 20102, 0x6B000001, traffic_class=EF)
    center_mux = Stream(lab.CONTACT_CENTER_V6, 6010, lab.CORE_MAC, lab.CORE_V6, 20112, 0x6B000002, rtcp_mux=True,
                        flow_label=0x00001)
    any_rtp = frame_build.rtp(8, 1, 1, 1, frame_build.pcma_silence())

    access = []
    for i in range(30):
        access += [carrier.rtp(), carrier_mux.rtp()]
        if i % 10 == 9:
            access += [carrier.rtcp(), carrier_mux.rtcp()]
        if i == 4:
            access.append(carrier.rtp(udp_checksum=0))  # udp-zero-checksum-v6
        if i == 8:
            first_fragment = struct.pack("!BBHI", 0, 0, 0x0001, 0xC0FFEE)  # offset 0, more to come
            access.append(ipv6_with_header(lab.ACCESS_MAC, lab.CARRIER_V6, "2001:db8:1::99", 44, first_fragment,
                                           4000, 20100, any_rtp))
        if i == 12:
            hop_by_hop = bytes([0, 0, 1, 4, 0, 0, 0, 0])  # one PadN option
            access.append(ipv6_with_header(lab.ACCESS_MAC, lab.CARRIER_V6, lab.ACCESS_V6, 0, hop_by_hop,
                                           4000, 20100, any_rtp))
        if i == 16:
            access.append(carrier.rtp(hop_limit=0))  # ip-ttl-expired
        if i == 20:
            access.append(carrier.rtp(dst_port=20120))  # media-no-session
    core = []
    for i in range(25):
        core += [center.rtp(), center_mux.rtp()]
        if i % 10 == 9:
            core += [center.rtcp(), center_mux.rtcp()]
    return Case(lab.two_interface_lab(sessions), {"access0": records(access), "core0": records(core)})
