"""Compares one sbcd run with the reference model: the frames of every output pcap byte for
byte and in order, the drop counters per reason, the interface counters and the sessions'
latch state and counters. Each function returns a list of failures (empty when all agree).
"""

import ipaddress
import struct

import frame_layout
from lab import socket_text

MAX_FRAMES_REPORTED = 5


# ---- frames the SBC sends of its own accord -------------------------------------------------
def split_own_frames(iface, frames):
    """Separates ARP requests and neighbour solicitations that the SBC sends for its configured
    (static) next hops from the relayed frames. Returns (relayed, own)."""
    relayed, own = [], []
    for frame in frames:
        (own if _probes_static_neighbor(iface, frame) else relayed).append(frame)
    return relayed, own


def _probes_static_neighbor(iface, frame):
    if frame[6:12] != bytes.fromhex(iface.mac.replace(":", "")):
        return False
    offset = 16 if frame[12:14] == b"\x81\x00" else 12
    ethertype = frame[offset:offset + 2]
    static = {ipaddress.ip_address(a) for a in iface.neighbors}
    if ethertype == b"\x08\x06" and len(frame) >= offset + 30:
        opcode = struct.unpack_from("!H", frame, offset + 8)[0]
        return opcode == 1 and ipaddress.IPv4Address(frame[offset + 26:offset + 30]) in static
    if ethertype == b"\x86\xdd" and len(frame) >= offset + 2 + 40 + 24:
        l3 = offset + 2
        is_solicitation = frame[l3 + 6] == 58 and frame[l3 + 40] == 135
        return is_solicitation and ipaddress.IPv6Address(frame[l3 + 48:l3 + 64]) in static
    return False


# ---- frames ---------------------------------------------------------------------------------
def compare_frames(port_name, expected, actual):
    failures = []
    if len(expected) != len(actual):
        failures.append(f"{port_name}: sent {len(actual)} frames, expected {len(expected)}")
    differing = [i for i in range(min(len(expected), len(actual))) if expected[i] != actual[i]]
    for i in differing[:MAX_FRAMES_REPORTED]:
        failures.append(f"{port_name}: frame {i + 1} differs: {describe_difference(expected[i], actual[i])}")
    if len(differing) > MAX_FRAMES_REPORTED:
        failures.append(f"{port_name}: ... {len(differing)} frames differ in all")
    if len(expected) != len(actual) and not differing:
        longer, name = (actual, "unexpected") if len(actual) > len(expected) else (expected, "missing")
        first = min(len(expected), len(actual))
        failures.append(f"{port_name}: first {name} frame {first + 1}: {longer[first][:64].hex()}")
    return failures


def describe_difference(expected, actual):
    """The first differing byte with its field, and every field that differs (by the expected
    frame's layout)."""
    differing = [i for i in range(min(len(expected), len(actual))) if expected[i] != actual[i]]
    lengths = f"; lengths {len(expected)} vs {len(actual)}" if len(expected) != len(actual) else ""
    if not differing:
        return f"expected {len(expected)} bytes, got {len(actual)} (one is a prefix of the other)"
    first = differing[0]
    names = []
    for offset in differing:
        name = frame_layout.name_at(expected, offset).split("+")[0]
        if name not in names:
            names.append(name)
    return (f"first at byte {first} ({frame_layout.name_at(expected, first)}): expected "
            f"{expected[first:first + 4].hex()}, got {actual[first:first + 4].hex()}{lengths}; "
            f"fields differing: {', '.join(names[:8])}")


# ---- counters -------------------------------------------------------------------------------
def compare_drops(totals, drops):
    """totals: the model's Totals; drops: `show drops all json`."""
    failures = []
    reported = drops["drops"]
    for reason in sorted(set(reported) | set(totals.drops)):
        want, got = totals.drops.get(reason, 0), reported.get(reason)
        if got is None:
            failures.append(f"drops: sbcd has no reason '{reason}' (expected {want})")
        elif want != got:
            failures.append(f"drops: {reason} = {got}, expected {want}")
    wanted = {"dropped": sum(totals.drops.values()), "media_packets": totals.media_packets,
              "rtcp_packets": totals.rtcp_packets, "latches": totals.latches, "relatches": 0,
              "exception_packets": 0}
    for key, want in wanted.items():
        if drops[key] != want:
            failures.append(f"drops: {key} = {drops[key]}, expected {want}")
    return failures


def compare_interface(iface_view, inputs, sent, relayed, own):
    """rx counts every frame read; tx every frame sent. tx_bytes is checked only where the SBC
    sent nothing of its own (the relay counts bytes; see the report on control frames)."""
    failures = []
    wanted = {"rx_packets": len(inputs), "rx_bytes": sum(len(f) for f in inputs), "tx_packets": len(sent)}
    if not own:
        wanted["tx_bytes"] = sum(len(f) for f in relayed)
    for key, want in wanted.items():
        if iface_view[key] != want:
            failures.append(f"{iface_view['name']}: {key} = {iface_view[key]}, expected {want}")
    return failures


def compare_sessions(model, lab, sessions):
    failures = []
    by_id = {s["id"]: s for s in sessions}
    for spec in lab.sessions:
        view = by_id.get(spec.id)
        if view is None:
            failures.append(f"session {spec.id}: missing from show sessions")
            continue
        flows = model.session_flows(spec.id)
        for leg_index, leg_view in enumerate(view["legs"]):
            rtp = flows[(leg_index, False)]
            rtcp = flows.get((leg_index, True))
            toward = flows[(1 - leg_index, False)].destination.peer
            wanted = {
                "latched": rtp.latched is not None,
                "latched_peer": _endpoint_text(rtp.latched),
                "sending_to": _endpoint_text(toward),
                "rtp.packets": rtp.packets, "rtp.source_drops": rtp.source_drops,
                "rtcp.packets": rtcp.packets if rtcp else 0, "rtcp.source_drops": rtcp.source_drops if rtcp else 0,
            }
            for key, want in wanted.items():
                group, _, name = key.rpartition(".")
                got = leg_view[group][name] if group else leg_view[name]
                if got != want:
                    failures.append(f"session {spec.id} leg {leg_view['leg']}: {key} = {got}, expected {want}")
    return failures


def _endpoint_text(endpoint):
    return None if endpoint is None else socket_text((endpoint.address, endpoint.port))
