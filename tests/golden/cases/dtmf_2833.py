"""SIPp's RFC 2833 telephone-event stream for digit 1 (sipp/pcap/dtmf_2833_1.pcap: 10 packets
of 58 bytes, below Ethernet's 60-byte minimum, as captured) relayed from the carrier to the
contact center; tshark must decode every output packet as an RTP event."""

import lab
from capture_readdress import readdress, udp_stream
from cases import Case

NEEDS_TESTDATA = True
SUMMARY = "SIPp's RFC 2833 DTMF '1' (10 short frames) relayed access->core, decoded as rtpevent"
CAPTURE = "sipp/pcap/dtmf_2833_1.pcap"
PACKETS = 10
CARRIER_PORT, CONTACT_CENTER_PORT = 49176, 7078
ACCESS_PORT, CORE_PORT = 20010, 20012


def build(testdata):
    session = lab.carrier_to_contact_center(7, ACCESS_PORT, CORE_PORT, CARRIER_PORT, CONTACT_CENTER_PORT)
    captured = udp_stream(testdata, CAPTURE, PACKETS)
    events = [readdress(r, lab.CARRIER, CARRIER_PORT, lab.ACCESS_MAC, lab.ACCESS_V4, ACCESS_PORT) for r in captured]
    return Case(lab.two_interface_lab([session]), {"access0": events}, required_protocol="rtpevent")
