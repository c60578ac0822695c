"""SIPp's RFC 2833 telephone-event stream for digit 1 (sipp/pcap/dtmf_2833_1.pcap: 10 packets
of 58 bytes, below Ethernet's 60-byte minimum, as captured) relayed from the carrier to the
contact center; tshark must decode every output packet as an RTP event."""

import os

import lab
import pcap_file
from capture_readdress import readdress, udp_view
from cases import Case

NEEDS_TESTDATA = True
SUMMARY = "SIPp's RFC 2833 DTMF '1' (10 short frames) relayed access->core, decoded as rtpevent"
CAPTURE = "sipp/pcap/dtmf_2833_1.pcap"
PACKETS = 10
CARRIER_PORT, CONTACT_CENTER_PORT = 49176, 7078
ACCESS_PORT, CORE_PORT = 20010, 20012


def build(testdata):
    session = lab.Session(
        7,
        lab.Leg("access0", (lab.ACCESS_V4, ACCESS_PORT), (lab.CARRIER.address, CARRIER_PORT)),
        lab.Leg("core0", (lab.CORE_V4, CORE_PORT), (lab.CONTACT_CENTER.address, CONTACT_CENTER_PORT)))
    captured = [r for r in pcap_file.read(os.path.join(testdata, CAPTURE)) if udp_view(r.data)]
    assert len(captured) == PACKETS, f"{CAPTURE}: {len(captured)} UDP packets, expected {PACKETS}"
    events = [readdress(r, lab.CARRIER, CARRIER_PORT, lab.ACCESS_MAC, lab.ACCESS_V4, ACCESS_PORT) for r in captured]
    return Case(lab.two_interface_lab([session]), {"access0": events}, required_protocol="rtpevent")
