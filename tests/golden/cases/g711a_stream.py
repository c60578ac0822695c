"""The real G.711 A-law stream of SIPp (sipp/pcap/g711a.pcap, 236 packets) relayed both ways:
as captured from the carrier to the SBC's access port, and the same packets from the contact
center to its core port. Every frame must come out on the other side rewritten exactly."""

import lab
from capture_readdress import readdress, udp_stream
from cases import Case

NEEDS_TESTDATA = True
SUMMARY = "SIPp's G.711 A-law stream (236 packets) relayed access->core and core->access"
CAPTURE = "sipp/pcap/g711a.pcap"
PACKETS = 236
CARRIER_PORT, CONTACT_CENTER_PORT = 5000, 7078
ACCESS_PORT, CORE_PORT = 20000, 20002


def build(testdata):
    session = lab.carrier_to_contact_center(1, ACCESS_PORT, CORE_PORT, CARRIER_PORT, CONTACT_CENTER_PORT)
    captured = udp_stream(testdata, CAPTURE, PACKETS)
    from_carrier = [readdress(r, lab.CARRIER, CARRIER_PORT, lab.ACCESS_MAC, lab.ACCESS_V4, ACCESS_PORT)
                    for r in captured]
    from_contact_center = [readdress(r, lab.CONTACT_CENTER, CONTACT_CENTER_PORT, lab.CORE_MAC, lab.CORE_V4,
                                     CORE_PORT) for r in captured]
    return Case(lab.two_interface_lab([session]), {"access0": from_carrier, "core0": from_contact_center})
