"""The real call of the Wireshark sample SIP_CALL_RTP_G711 (pcaps/heplify/
rtp_rtcp_sip_ipv4_udp.pcap, 4269 frames). Its two RTP directions, 200.57.7.196:40376 <->
200.57.7.204:8000, and their RTCP on the next ports, are aimed at the SBC: the .196 side
becomes the carrier on the access link, the .204 side the contact center on the core link.
Everything else in the capture (SIP, SNMP, MGCP, H.225, TCP, STP, CDP, ARP, another RTP
stream...) goes into the access port untouched, in its place in the capture: not addressed
to the SBC, all of it must be dropped and counted."""

import os

import lab
import pcap_file
from capture_readdress import readdress, udp_view
from cases import Case

NEEDS_TESTDATA = True
SUMMARY = "a real call's RTP+RTCP both ways, amid 2,800 frames of other traffic that must be dropped"
CAPTURE = "pcaps/heplify/rtp_rtcp_sip_ipv4_udp.pcap"
CALLER, CALLER_RTP = "200.57.7.196", 40376
CALLEE, CALLEE_RTP = "200.57.7.204", 8000
ACCESS_PORT, CORE_PORT = 20000, 20002
# Packets per direction, as tshark counts them in the capture (testdata README).
STREAM_SIZES = {("caller", False): 891, ("callee", False): 548, ("caller", True): 6, ("callee", True): 8}


def build(testdata):
    session = lab.Session(
        1,
        lab.Leg("access0", (lab.ACCESS_V4, ACCESS_PORT), (lab.CARRIER.address, CALLER_RTP)),
        lab.Leg("core0", (lab.CORE_V4, CORE_PORT), (lab.CONTACT_CENTER.address, CALLEE_RTP)))
    access, core = [], []
    counts = dict.fromkeys(STREAM_SIZES, 0)
    for record in pcap_file.read(os.path.join(testdata, CAPTURE)):
        side = _call_side(udp_view(record.data))
        if side is None:
            access.append(record)  # untouched
            continue
        who, rtcp = side
        counts[side] += 1
        offset = 1 if rtcp else 0
        if who == "caller":
            access.append(readdress(record, lab.CARRIER, CALLER_RTP + offset, lab.ACCESS_MAC, lab.ACCESS_V4,
                                    ACCESS_PORT + offset))
        else:
            core.append(readdress(record, lab.CONTACT_CENTER, CALLEE_RTP + offset, lab.CORE_MAC, lab.CORE_V4,
                                  CORE_PORT + offset))
    assert counts == STREAM_SIZES, f"{CAPTURE}: call streams {counts}, expected {STREAM_SIZES}"
    return Case(lab.two_interface_lab([session]), {"access0": access, "core0": core})


def _call_side(view):
    """("caller"|"callee", is_rtcp) for a packet of the call's media, else None."""
    if view is None:
        return None
    for who, src, src_port, dst, dst_port in (("caller", CALLER, CALLER_RTP, CALLEE, CALLEE_RTP),
                                              ("callee", CALLEE, CALLEE_RTP, CALLER, CALLER_RTP)):
        for rtcp in (False, True):
            if (view.src, view.src_port, view.dst, view.dst_port) == (src, src_port + rtcp, dst, dst_port + rtcp):
                return who, rtcp
    return None
