"""tshark as an outside judge of what sbcd wrote: every relayed frame must decode as RTP or
RTCP (and as RFC 4733 telephone-event where a case says so), with IP and UDP checksum
validation on, and carry no malformed-packet marker and no expert info of warning or error
severity (a bad checksum is an error).
"""

import shutil
import subprocess

# Expert info severities as tshark prints them (epan/proto.h PI_WARN, PI_ERROR).
_WARNING = 0x00600000
_SEVERITY_NAMES = {0x00600000: "warning", 0x00800000: "error"}
MAX_FRAMES_REPORTED = 5


def available():
    return shutil.which("tshark") is not None


def check(pcap, rtp_ports, rtcp_ports, skip_frames=(), required_protocol=None):
    """rtp_ports/rtcp_ports: the SBC's UDP ports whose traffic is RTP/RTCP (decode-as);
    skip_frames: 1-based numbers of frames that are not relayed media."""
    argv = ["tshark", "-n", "-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
    for port in sorted(rtp_ports):
        argv += ["-d", f"udp.port=={port},rtp"]
    for port in sorted(rtcp_ports):
        argv += ["-d", f"udp.port=={port},rtcp"]
    argv += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|",
             "-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.expert.severity", "-e", "_ws.expert.message"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return [f"tshark {pcap}: rc {done.returncode}: {done.stderr.strip()}"]
    failures = []
    for line in done.stdout.splitlines():
        number, protocols, severities, messages = (line.split("\t") + ["", "", ""])[:4]
        if int(number) in skip_frames:
            continue
        layers = protocols.split(":")
        problems = []
        if "rtp" not in layers and "rtcp" not in layers:
            problems.append(f"not RTP/RTCP ({protocols})")
        elif required_protocol and required_protocol not in layers:
            problems.append(f"no {required_protocol} ({protocols})")
        if "_ws.malformed" in layers:
            problems.append("malformed")
        for severity, message in zip(severities.split("|"), messages.split("|")):
            if severity and int(severity, 0) >= _WARNING:
                problems.append(f"expert {_SEVERITY_NAMES.get(int(severity, 0), severity)}: {message}")
        if problems:
            failures.append(f"tshark frame {number}: " + "; ".join(problems))
    if len(failures) > MAX_FRAMES_REPORTED:
        failures = failures[:MAX_FRAMES_REPORTED] + [f"tshark: ... {len(failures)} frames fail in all"]
    return failures
