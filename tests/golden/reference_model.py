"""An independent model of what sbcd does with each frame it receives: relay it (which port,
which exact bytes) or drop it (which reason). Written from the rules of the fast path
(DESIGN.md, dataplane/drop_reasons.h, the `media session add` command), not from its code, and
never by running it: the golden tests compare sbcd against this.

The rules, in the order a frame meets them:
  Ethernet  shorter than 14 bytes: truncated-frame. Unicast to another MAC: not-for-us.
            An 802.1Q tag must carry the interface's VLAN, and an interface with a VLAN takes
            only tagged frames: wrong-vlan. Not IPv4, IPv6 or ARP: unknown-ethertype.
  IPv4      header cut: truncated-frame; version, IHL (<5 bad, >5 options), total length vs
            frame, header checksum, a fragment (MF or offset) not for one of the interface's
            addresses, TTL 0, impossible source (0/8, 127/8, multicast, broadcast),
            multicast/broadcast destination — each its own reason. Ethernet padding past the
            total length is not part of the packet.
  IPv6      header cut, version, payload length, hop limit 0, multicast/loopback source;
            a fragment header not for one of the interface's addresses, other extension
            headers.
  fragments for one of the interface's addresses (a SIP message larger than a frame) are
            the SBC's own, whole: for the kernel to reassemble (no-exception-path in these
            labs), never media, even when the first one's UDP header names a session's port.
  UDP       length must match the IP length; a checksum must hold (IPv4 may send none,
            IPv6 must send one).
  dispatch  (interface, destination address, destination port) of a session: media. Else
            not our address: not-for-us; our address in the media port range:
            media-no-session; anything else for the SBC itself: no-exception-path (these
            labs have none).
  media     not RTP/RTCP version 2 (RTCP ≥ 8 bytes, RTP ≥ 12): media-not-rtp. Before the
            flow has latched, only the peer of the leg's SDP (any port when the SDP gave
            none), or anyone on a latch-any leg, may send (else media-unexpected-source);
            the first packet latches the flow onto its source and makes that source the
            destination of the opposite direction. After that only the latched source may
            send: media-source-mismatch. No known destination or next-hop MAC: no-neighbor.
  rewrite   Ethernet: destination = next hop's MAC (or the MAC the latched peer's packets
            came from, when it is not the SDP's host), source = egress MAC, the egress
            interface's tag. IP: source = the SBC's address on the egress leg, destination
            = the peer; TTL/hop limit 64; same family: everything else of the IP header kept
            (IPv4 ID, flags, TOS; IPv6 traffic class, flow label); IPv4 → IPv6: traffic
            class = TOS, flow label 0; IPv6 → IPv4: TOS = traffic class, ID 0, DF.
            UDP: ports = the SBC's port on the egress leg (+1 for RTCP unless rtcp-mux) →
            the peer's; payload untouched; checksum from scratch (an IPv4 datagram without
            one stays without one when it leaves as IPv4).
  neighbors Static next hops never change: ARP cannot overwrite them.
"""

import ipaddress
import struct
from collections import Counter
from dataclasses import dataclass, field

import frame_build
import inet_checksum
from lab import MEDIA_PORTS

ORIGIN_TTL = 64


@dataclass
class Relayed:
    egress: str  # interface name
    frame: bytes
    rtcp: bool  # RTCP by payload type or by arriving on an RTCP port


@dataclass
class Dropped:
    reason: str


@dataclass
class Endpoint:
    address: str  # canonical text
    port: int

    def family(self):
        return 6 if ":" in self.address else 4


@dataclass
class Destination:
    peer: Endpoint = None  # None: not known yet
    mac: str = None  # set when the latched peer is not the SDP's host; else the next hop's


@dataclass
class Flow:
    """One direction of one session: packets arriving at (interface, local address, port)."""
    session_id: int
    leg: int  # 0 = leg a, 1 = leg b: where packets arrive
    rtcp: bool
    ingress: str
    local: Endpoint
    expected: Endpoint  # from the SDP; address None = anyone (latch-any), port 0 = any port
    latch_any: bool
    egress: str
    egress_source: Endpoint
    destination: Destination
    opposite: "Flow" = None
    latched: Endpoint = None
    packets: int = 0
    source_drops: int = 0


@dataclass
class Totals:
    drops: Counter = field(default_factory=Counter)
    media_packets: int = 0
    rtcp_packets: int = 0
    latches: int = 0


def canonical(address):
    return str(ipaddress.ip_address(address))


def is_multicast_mac(mac_bytes):
    return mac_bytes[0] & 1 == 1


def mac_text(mac_bytes):
    return ":".join(f"{b:02x}" for b in mac_bytes)


class ReferenceModel:
    def __init__(self, lab):
        self.lab = lab
        self.totals = Totals()
        self.flows = {}  # (interface, address, port) -> Flow
        self.static_neighbors = {(i.name, canonical(a)): mac for i in lab.interfaces for a, mac in i.neighbors.items()}
        for session in lab.sessions:
            self._add_session(session)

    # ---- sessions -------------------------------------------------------------------------
    def _add_session(self, s):
        mux = s.a.rtcp_mux
        assert s.b.rtcp_mux == mux, "rtcp-mux must be the same on both legs"
        assert s.relatch_after_ms == 0 or s.relatch_after_ms >= 60000, \
            "net_pcap replays without pauses: only a relatch window no replay can reach is modelled"
        made = {}
        for rtcp in ([False] if mux else [False, True]):
            for leg_index, (leg, other) in enumerate(((s.a, s.b), (s.b, s.a))):
                offset = 1 if rtcp else 0
                remote_known = not ipaddress.ip_address(leg.remote[0]).is_unspecified
                expected = Endpoint(canonical(leg.remote[0]), leg.remote[1] + offset if leg.remote[1] else 0) \
                    if remote_known else Endpoint(None, 0)
                to_known = other.remote[1] != 0 and not ipaddress.ip_address(other.remote[0]).is_unspecified
                assert not to_known or self.lab.interface(other.interface).on_link(other.remote[0]), \
                    "the labs have no gateways: a known peer is its own next hop"
                destination = Destination(Endpoint(canonical(other.remote[0]), other.remote[1] + offset)) \
                    if to_known else Destination()
                flow = Flow(s.id, leg_index, rtcp, leg.interface,
                            Endpoint(canonical(leg.local[0]), leg.local[1] + offset), expected, leg.latch_any,
                            other.interface, Endpoint(canonical(other.local[0]), other.local[1] + offset),
                            destination)
                made[(leg_index, rtcp)] = flow
                self.flows[(leg.interface, flow.local.address, flow.local.port)] = flow
        for (leg_index, rtcp), flow in made.items():
            flow.opposite = made[(1 - leg_index, rtcp)]

    def session_flows(self, session_id):
        """{(leg, rtcp): Flow} of one session."""
        return {(f.leg, f.rtcp): f for f in self.flows.values() if f.session_id == session_id}

    # ---- one frame ------------------------------------------------------------------------
    def receive(self, interface_name, frame):
        """What sbcd does with `frame` arriving on `interface_name`: Relayed or Dropped."""
        verdict = self._classify(self.lab.interface(interface_name), bytes(frame))
        if isinstance(verdict, Dropped):
            self.totals.drops[verdict.reason] += 1
        else:
            self.totals.media_packets += 1
            self.totals.rtcp_packets += verdict.rtcp
        return verdict

    def _classify(self, iface, frame):
        if len(frame) < 14:
            return Dropped("truncated-frame")
        if not is_multicast_mac(frame[0:6]) and mac_text(frame[0:6]) != iface.mac:
            return Dropped("not-for-us")
        ethertype, l2 = struct.unpack_from("!H", frame, 12)[0], 14
        if ethertype == frame_build.ETHERTYPE_VLAN:
            if len(frame) < 18:
                return Dropped("truncated-frame")
            if struct.unpack_from("!H", frame, 14)[0] & 0x0FFF != iface.vlan:
                return Dropped("wrong-vlan")
            ethertype, l2 = struct.unpack_from("!H", frame, 16)[0], 18
        elif iface.vlan:
            return Dropped("wrong-vlan")
        if ethertype == frame_build.ETHERTYPE_IPV4:
            return self._ipv4(iface, frame, l2)
        if ethertype == frame_build.ETHERTYPE_IPV6:
            return self._ipv6(iface, frame, l2)
        if ethertype == frame_build.ETHERTYPE_ARP:
            return self._arp(iface, frame, l2)
        return Dropped("unknown-ethertype")

    def _ipv4(self, iface, frame, l2):
        if len(frame) < l2 + 20:
            return Dropped("truncated-frame")
        version_ihl, _, total_length, _, flags_fragment, ttl, protocol = struct.unpack_from("!BBHHHBB", frame, l2)
        src, dst = frame[l2 + 12:l2 + 16], frame[l2 + 16:l2 + 20]
        if version_ihl >> 4 != 4:
            return Dropped("ip-bad-version")
        if version_ihl & 0xF < 5:
            return Dropped("ip-bad-header-length")
        if version_ihl & 0xF > 5:
            return Dropped("ip-options")
        if total_length < 20 or total_length > len(frame) - l2:
            return Dropped("ip-bad-length")
        if not inet_checksum.is_valid(frame[l2:l2 + 20]):
            return Dropped("ip-bad-checksum")
        fragment = flags_fragment & 0x3FFF != 0  # MF or an offset
        if fragment and not iface.owns(str(ipaddress.IPv4Address(dst))):
            return Dropped("ip-fragment")
        if ttl == 0:
            return Dropped("ip-ttl-expired")
        source = ipaddress.IPv4Address(src)
        if source in ipaddress.ip_network("0.0.0.0/8") or source.is_loopback or source.is_multicast or \
                src == b"\xff\xff\xff\xff":
            return Dropped("ip-bad-source")
        if ipaddress.IPv4Address(dst).is_multicast or dst == b"\xff\xff\xff\xff":
            return Dropped("not-for-us")
        packet = frame[:l2 + total_length]  # without Ethernet padding
        if fragment or protocol != frame_build.PROTO_UDP:
            return self._for_the_sbc(iface, ipaddress.IPv4Address(dst))
        if total_length < 28 or struct.unpack_from("!H", packet, l2 + 24)[0] != total_length - 20:
            return Dropped("udp-bad-length")
        datagram = packet[l2 + 20:]
        if datagram[6:8] != b"\0\0" and not inet_checksum.udp_checksum_is_valid(src, dst, datagram):
            return Dropped("udp-bad-checksum")
        return self._udp(iface, packet, l2, 20, str(source), str(ipaddress.IPv4Address(dst)))

    def _ipv6(self, iface, frame, l2):
        if len(frame) < l2 + 40:
            return Dropped("truncated-frame")
        first_word, payload_length, next_header, hop_limit = struct.unpack_from("!IHBB", frame, l2)
        src = ipaddress.IPv6Address(frame[l2 + 8:l2 + 24])
        dst = ipaddress.IPv6Address(frame[l2 + 24:l2 + 40])
        if first_word >> 28 != 6:
            return Dropped("ip-bad-version")
        if payload_length > len(frame) - l2 - 40:
            return Dropped("ip-bad-length")
        if hop_limit == 0:
            return Dropped("ip-ttl-expired")
        if src.is_multicast or ((src.is_unspecified or src.is_loopback) and next_header != 58):
            return Dropped("ip-bad-source")
        packet = frame[:l2 + 40 + payload_length]
        if next_header == frame_build.PROTO_UDP:
            if dst.is_multicast:
                return Dropped("not-for-us")
            if payload_length < 8 or struct.unpack_from("!H", packet, l2 + 44)[0] != payload_length:
                return Dropped("udp-bad-length")
            datagram = packet[l2 + 40:]
            if datagram[6:8] == b"\0\0":
                return Dropped("udp-zero-checksum-v6")
            if not inet_checksum.udp_checksum_is_valid(src.packed, dst.packed, datagram):
                return Dropped("udp-bad-checksum")
            return self._udp(iface, packet, l2, 40, str(src), str(dst))
        if next_header == 44:
            return self._for_the_sbc(iface, dst) if iface.owns(str(dst)) else Dropped("ip-fragment")
        if next_header in (0, 43, 60, 51, 50):
            return Dropped("ipv6-extension-header")
        if next_header == 58:
            if payload_length < 4:
                return Dropped("truncated-frame")
            neighbor_discovery = packet[l2 + 40] in (135, 136)
            if neighbor_discovery and self._is_our_nd_group(iface, dst):
                return Dropped("no-exception-path")  # learned from, then for the kernel
        # ICMPv6, TCP and the rest: the SBC's own business when addressed to it.
        return self._for_the_sbc(iface, dst)

    @staticmethod
    def _is_our_nd_group(iface, group):
        if group == ipaddress.IPv6Address("ff02::1"):
            return True
        solicited = ipaddress.ip_network("ff02::1:ff00:0/104")
        return group in solicited and any(
            ipaddress.ip_interface(a).ip.version == 6 and
            ipaddress.ip_interface(a).ip.packed[13:] == group.packed[13:] for a in iface.addresses)

    def _arp(self, iface, frame, l2):
        if len(frame) < l2 + 28:
            return Dropped("truncated-frame")
        hardware, protocol, hardware_length, protocol_length = struct.unpack_from("!HHBB", frame, l2)
        if (hardware, protocol, hardware_length, protocol_length) != (1, 0x0800, 6, 4):
            return Dropped("arp-malformed")
        sender = str(ipaddress.IPv4Address(frame[l2 + 14:l2 + 18]))
        target = str(ipaddress.IPv4Address(frame[l2 + 24:l2 + 28]))
        if sender != target and not iface.owns(target):
            return Dropped("not-for-us")
        # Learned from, then handed to the kernel, which these labs do not have. Static next
        # hops do not change, and the model has no other kind (all next hops are static).
        return Dropped("no-exception-path")

    @staticmethod
    def _for_the_sbc(iface, destination):
        return Dropped("no-exception-path") if iface.owns(str(destination)) else Dropped("not-for-us")

    def _udp(self, iface, packet, l2, l3, src, dst):
        src_port, dst_port = struct.unpack_from("!HH", packet, l2 + l3)
        flow = self.flows.get((iface.name, dst, dst_port))
        if flow is None:
            if not iface.owns(dst):
                return Dropped("not-for-us")
            if MEDIA_PORTS[0] <= dst_port <= MEDIA_PORTS[1]:
                return Dropped("media-no-session")
            return Dropped("no-exception-path")
        return self._relay(iface, flow, packet, l2, l3, Endpoint(src, src_port))

    # ---- media ----------------------------------------------------------------------------
    def _relay(self, iface, flow, packet, l2, l3, source):
        payload = packet[l2 + l3 + 8:]
        if len(payload) < 8 or payload[0] & 0xC0 != 0x80:
            return Dropped("media-not-rtp")
        is_rtcp = 192 <= payload[1] <= 223  # RFC 5761 §4
        if not is_rtcp and len(payload) < 12:
            return Dropped("media-not-rtp")
        if flow.latched is not None:
            if flow.latched != source:
                flow.source_drops += 1
                return Dropped("media-source-mismatch")
        else:
            allowed = flow.latch_any or (flow.expected.address == source.address and
                                         flow.expected.port in (0, source.port))
            if not allowed or iface.owns(source.address):
                flow.source_drops += 1
                return Dropped("media-unexpected-source")
            self._latch(flow, source, mac_text(packet[6:12]))
        destination = flow.destination
        if destination.peer is None:
            return Dropped("no-neighbor")
        next_hop_mac = destination.mac or self.static_neighbors.get((flow.egress, destination.peer.address))
        if next_hop_mac is None:
            return Dropped("no-neighbor")
        flow.packets += 1
        frame = self._rewrite(packet, l2, l3, flow, destination.peer, next_hop_mac)
        return Relayed(flow.egress, frame, is_rtcp or flow.rtcp)

    def _latch(self, flow, source, source_mac):
        flow.latched = source
        self.totals.latches += 1
        toward_this_peer = flow.opposite.destination
        same_host = toward_this_peer.peer is not None and toward_this_peer.peer.address == source.address
        if not same_host:
            toward_this_peer.mac = source_mac  # a NATed peer: answer whoever sent its packets
        toward_this_peer.peer = source

    def _rewrite(self, packet, l2, l3, flow, peer, next_hop_mac):
        egress = self.lab.interface(flow.egress)
        in_v6 = l3 == 40
        out_v6 = peer.family() == 6
        ip_in = packet[l2:l2 + l3]
        datagram = packet[l2 + l3:]
        src, dst = flow.egress_source.address, peer.address
        had_checksum = datagram[6:8] != b"\0\0"
        body = struct.pack("!HH", flow.egress_source.port, peer.port) + datagram[4:6] + b"\0\0" + datagram[8:]
        if not out_v6 and not in_v6 and not had_checksum:
            checksum = 0
        else:
            checksum = inet_checksum.udp_checksum(inet_checksum.packed(src), inet_checksum.packed(dst), body)
        body = body[:6] + struct.pack("!H", checksum) + body[8:]
        if out_v6:
            if in_v6:
                first_word = struct.unpack_from("!I", ip_in, 0)[0]
                traffic_class, flow_label = (first_word >> 20) & 0xFF, first_word & 0xFFFFF
            else:
                traffic_class, flow_label = ip_in[1], 0
            header = frame_build.ipv6_header(src, dst, len(body), traffic_class=traffic_class,
                                             flow_label=flow_label, hop_limit=ORIGIN_TTL)
            ethertype = frame_build.ETHERTYPE_IPV6
        else:
            if in_v6:
                tos = (struct.unpack_from("!I", ip_in, 0)[0] >> 20) & 0xFF
                ident, flags_fragment = 0, frame_build.IPV4_DF
            else:
                tos = ip_in[1]
                ident, flags_fragment = struct.unpack_from("!HH", ip_in, 4)
            header = frame_build.ipv4_header(src, dst, len(body), tos=tos, ident=ident,
                                             flags_fragment=flags_fragment, ttl=ORIGIN_TTL)
            ethertype = frame_build.ETHERTYPE_IPV4
        return frame_build.ethernet(next_hop_mac, egress.mac, ethertype, header + body, egress.vlan)
