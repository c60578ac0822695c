"""The golden tests' network: two SBC interfaces on DPDK net_pcap ports, the peers on each
link, and the media sessions. One description feeds three readers: the sbcd configuration,
the `--exec` file of session commands, and the reference model.

Addresses come from the benchmarking ranges (198.18.0.0/15, and 2001:db8::/32 for IPv6).
"""

import ipaddress
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Host:
    address: str
    mac: str


# The SBC's side of each link.
ACCESS_MAC = "02:5b:c0:00:01:01"
ACCESS_V4 = "198.18.1.1"
ACCESS_V6 = "2001:db8:1::1"
CORE_MAC = "02:5b:c0:00:02:01"
CORE_V4 = "198.18.2.1"
CORE_V6 = "2001:db8:2::1"

# Peers with a configured (static) next-hop MAC.
CARRIER = Host("198.18.1.10", "02:5b:c0:00:01:0a")
CARRIER_V6 = Host("2001:db8:1::10", "02:5b:c0:00:01:0b")
CONTACT_CENTER = Host("198.18.2.10", "02:5b:c0:00:02:0a")
CONTACT_CENTER_V6 = Host("2001:db8:2::10", "02:5b:c0:00:02:0b")
# A host on the access link that no session names: its packets must never be relayed.
INTRUDER = Host("198.18.1.66", "02:5b:c0:00:01:66")

UNKNOWN_PEER = ("0.0.0.0", 0)
MEDIA_PORTS = (20000, 29999)


@dataclass
class Interface:
    name: str
    port: int  # net_pcap<port>
    realm: str
    mac: str
    addresses: list  # "198.18.1.1/24", ...
    neighbors: dict  # next hop address -> MAC, configured statically
    vlan: int = 0

    def owns(self, address):
        return any(ipaddress.ip_interface(a).ip == ipaddress.ip_address(address) for a in self.addresses)

    def on_link(self, address):
        ip = ipaddress.ip_address(address)
        return any(ip in ipaddress.ip_interface(a).network for a in self.addresses)


@dataclass
class Leg:
    interface: str
    local: tuple  # (address, port) of the SBC
    remote: tuple  # (address, port) of the peer from its SDP; UNKNOWN_PEER when not known
    latch_any: bool = False
    rtcp_mux: bool = False


@dataclass
class Session:
    id: int
    a: Leg
    b: Leg
    relatch_after_ms: int = 0

    @property
    def legs(self):
        return (self.a, self.b)


@dataclass
class Lab:
    interfaces: list
    sessions: list = field(default_factory=list)

    def interface(self, name):
        return next(i for i in self.interfaces if i.name == name)

    def config_text(self, pcaps):
        """sbcd's configuration; pcaps maps an interface name to its (rx_pcap, tx_pcap) paths."""
        lines = ["! written by tests/golden/lab.py",
                 "dataplane workers 1",
                 "dataplane max-sessions 1024",
                 "dataplane memory-mb 256",
                 f"media port-range {MEDIA_PORTS[0]} {MEDIA_PORTS[1]}"]
        for i in self.interfaces:
            rx, tx = pcaps[i.name]
            lines += [f"interface {i.name}",
                      f" device net_pcap{i.port},rx_pcap={rx},tx_pcap={tx}",
                      f" realm {i.realm}",
                      f" mac {i.mac}"]
            lines += [f" vlan {i.vlan}"] if i.vlan else []
            lines += [f" address {a}" for a in i.addresses]
            lines += [f" neighbor {address} {mac}" for address, mac in i.neighbors.items()]
            lines += [" no exception-path", "exit"]
        return "\n".join(lines) + "\n"

    def sessions_cli(self):
        """The `--exec` file: one `media session add` per session."""
        def leg_words(leg):
            words = [leg.interface, socket_text(leg.local), socket_text(leg.remote)]
            words += ["latch-any"] if leg.latch_any else []
            words += ["rtcp-mux"] if leg.rtcp_mux else []
            return " ".join(words)
        lines = []
        for s in self.sessions:
            line = f"media session add {s.id} leg-a {leg_words(s.a)} leg-b {leg_words(s.b)}"
            lines.append(line + (f" relatch-after {s.relatch_after_ms}" if s.relatch_after_ms else ""))
        return "\n".join(lines) + "\n"


def socket_text(address_port):
    address, port = address_port
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def access_interface(vlan=0):
    return Interface("access0", 0, "access", ACCESS_MAC, [f"{ACCESS_V4}/24", f"{ACCESS_V6}/64"],
                     {CARRIER.address: CARRIER.mac, CARRIER_V6.address: CARRIER_V6.mac}, vlan)


def core_interface(vlan=0):
    return Interface("core0", 1, "core", CORE_MAC, [f"{CORE_V4}/24", f"{CORE_V6}/64"],
                     {CONTACT_CENTER.address: CONTACT_CENTER.mac, CONTACT_CENTER_V6.address: CONTACT_CENTER_V6.mac},
                     vlan)


def two_interface_lab(sessions, core_vlan=0):
    """access0 (port 0) facing the carrier, core0 (port 1) facing the contact center."""
    return Lab([access_interface(), core_interface(core_vlan)], sessions)


def carrier_to_contact_center(session_id, access_port, core_port, carrier_port, contact_center_port):
    """The common session: the carrier on access0 and the contact center on core0, IPv4."""
    return Session(session_id,
                   Leg("access0", (ACCESS_V4, access_port), (CARRIER.address, carrier_port)),
                   Leg("core0", (CORE_V4, core_port), (CONTACT_CENTER.address, contact_center_port)))
