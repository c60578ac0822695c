#!/usr/bin/env python3
"""sbcbench flood: legitimate calls through sbcd while many sources flood its SIP address.

The lab of `sbcbench calls` (bench/calls/calls_bench.py: carrier, SBC and contact-center
namespaces, sbcd on net_af_packet with bench/calls/sbc-calls.conf) plus a fourth namespace, the
flood host, behind the carrier (which routes for it). The carrier's trunk places calls with sipp
(INVITE with SDP, 200, ACK, hold, BYE) at --rate for --seconds; at the same time the flood host
sends SIP OPTIONS and INVITE garbage over raw sockets from --sources addresses of 198.18.64.0/18
to 198.18.1.1:5060, each at --factor times the flood guard's untrusted limit (50 pps by default),
for as long as the calls run. The trunk is trusted (its pinhole); the strangers are blocked for
the deny period once they overflow their buckets.

    flood_bench.py [--rate 50] [--seconds 15] [--sources 256] [--factor 10] [--json]

Prints {"bench":"flood","legit_success_pct":P,"flood_pps":F,...}; the target is P >= 99.
Bounded: sipp stops itself, the flood sender has a deadline; the namespaces are removed.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "calls"))
import calls_bench as cb  # noqa: E402  (the lab, sbcd and the sipp trial)

FLOOD_NET = "198.18.64.0/18"
FLOOD_GW = "198.18.127.254"   # the carrier's end of the flood link
FLOOD_HOST = "198.18.127.1"
UNTRUSTED_PPS = 50            # SipFloodGuardConfig's default (firewall_config.h)

# Runs in the flood namespace: raw IPv4/UDP datagrams from many sources, paced per round.
FLOOD_SENDER = r"""
import socket, struct, sys, time
sources, pps_each, seconds, dst = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
dst_b = socket.inet_aton(dst)
packets = []
for i in range(sources):
    src = "198.18.%d.%d" % (64 + i // 250, 1 + i % 250)
    src_b = socket.inet_aton(src)
    method = "OPTIONS" if i % 2 else "INVITE"
    body = (f"{method} sip:flood@{dst}:5060 SIP/2.0\r\nVia: SIP/2.0/UDP {src}:5060;branch=z9hG4bKfl{i}\r\n"
            f"From: <sip:x@{src}>;tag={i}\r\nTo: <sip:y@{dst}>\r\nCall-ID: flood{i}\r\nCSeq: 1 {method}\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" + "x" * 40).encode()
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(body), 0)
    pseudo = src_b + dst_b + struct.pack("!BBH", 0, 17, len(udp) + len(body))
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp + body) or 0xffff)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(body), i & 0xffff, 0, 64, 17, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    packets.append(ip + udp + body)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
target = (dst, 0)
sent = errors = 0
start = time.monotonic(); end = start + seconds
rounds = 0
while True:
    now = time.monotonic()
    if now >= end: break
    # One round: one packet from every source; rounds are paced to pps_each.
    due = start + rounds / pps_each
    if now < due:
        time.sleep(min(due - now, 0.01)); continue
    for p in packets:
        try:
            s.sendto(p, target); sent += 1
        except OSError:
            errors += 1
    rounds += 1
elapsed = time.monotonic() - start
print(f"{sent} {errors} {elapsed:.3f} {rounds}")
"""


def sbcctl(lab, args, *words):
    binary = os.path.join(os.environ.get("SBCBENCH_BUILD_DIR", os.path.join(cb.SOURCE, "build")), "sbcctl")
    done = cb.run(["ip", "netns", "exec", lab.sbc, binary, "-s", f"{lab.workdir}/sbcd.sock", *words],
                  check=False, timeout=10)
    return done.stdout if done.returncode == 0 else None


def drops(lab, args):
    out = sbcctl(lab, args, "show", "drops", "all", "json")
    try:
        data = json.loads(out) if out else {}
    except ValueError:
        return {}
    found = {}
    def walk(d):
        if isinstance(d, dict):
            name = d.get("name") or d.get("reason")
            if name in ("sip-flood", "blocked-source", "exception-queue-full") and isinstance(d.get("count", d.get("packets")), int):
                found[name] = d.get("count", d.get("packets"))
            for k, v in d.items():
                if k in ("sip-flood", "blocked-source", "exception-queue-full") and isinstance(v, int):
                    found[k] = v
                walk(v)
        elif isinstance(d, list):
            for v in d: walk(v)
    walk(data)
    return found


def blocked_count(lab, args):
    out = sbcctl(lab, args, "show", "blocked", "json")
    try:
        data = json.loads(out) if out else None
    except ValueError:
        return None, None
    if isinstance(data, dict):
        data = data.get("blocked", data.get("sources"))
    if not isinstance(data, list):
        return None, None
    # Anyone blocked outside the flood's addresses is a legitimate peer the guard got wrong.
    legit = [e.get("source") for e in data if isinstance(e, dict)
             and not str(e.get("source", "")).startswith(tuple(f"198.18.{n}." for n in range(64, 128)))]
    return len(data), legit


def main():
    p = argparse.ArgumentParser(prog="sbcbench flood", description=__doc__.split("\n")[0])
    p.add_argument("--rate", type=int, default=50, help="legitimate calls per second (50)")
    p.add_argument("--seconds", type=float, default=15, help="how long the calls and the flood run (15)")
    p.add_argument("--sources", type=int, default=256, help="flooding addresses (256, at most 4000)")
    p.add_argument("--factor", type=float, default=10, help="each source at this times the untrusted limit (10)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--keep-logs", action="store_true")
    p.add_argument("--sbcd")
    p.add_argument("--sbc-config", default=os.path.join(HERE, "sbc-flood.conf"))
    args = p.parse_args()
    if not 1 <= args.sources <= 4000 or args.rate < 1 or not 1 <= args.seconds <= 120:
        p.error("need 1 <= --sources <= 4000, --rate >= 1, 1 <= --seconds <= 120")
    if os.geteuid() != 0 or not shutil.which("sipp"):
        print("sbcbench flood: needs root and sipp", file=sys.stderr)
        return 2
    # The pieces of the calls bench that read these.
    args.hold_ms, args.vip_settle, args.cooldown = 100, 1.0, 1.0

    def interrupted(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    workdir = tempfile.mkdtemp(prefix="sbcbench-flood-")
    lab = cb.Lab(f"sbcf{os.getpid()}", False, workdir)
    flood_ns = f"{lab.sbc[:-4]}-fl"
    system = cb.Sbcd(args)
    result = {"bench": "flood", "legit_success_pct": 0.0, "flood_pps": 0}
    flood = None
    try:
        lab.up()
        cb.run(["ip", "netns", "add", flood_ns])
        lab.created.append(flood_ns)
        cb.run(["ip", "-n", lab.car, "link", "add", "fl0", "type", "veth", "peer", "name", "up0", "netns", flood_ns])
        cb.run(["ip", "-n", lab.car, "addr", "add", f"{FLOOD_GW}/18", "dev", "fl0"])
        cb.run(["ip", "-n", lab.car, "link", "set", "fl0", "up"])
        cb.run(["ip", "-n", flood_ns, "addr", "add", f"{FLOOD_HOST}/18", "dev", "up0"])
        cb.run(["ip", "-n", flood_ns, "link", "set", "up0", "up"])
        cb.run(["ip", "-n", flood_ns, "link", "set", "lo", "up"])
        cb.run(["ip", "-n", flood_ns, "route", "add", "default", "via", FLOOD_GW])
        for key in ("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"):
            cb.run(["ip", "netns", "exec", lab.car, "sysctl", "-qw", key])
        system.start(lab)
        calls = int(args.rate * args.seconds)
        pps_each = UNTRUSTED_PPS * args.factor
        flood = lab.spawn(flood_ns, [sys.executable, "-c", FLOOD_SENDER, str(args.sources), str(pps_each),
                                     str(args.seconds + 2), cb.SBC_ACC_IP], "flood.log")
        trial = cb.run_trial(lab, args, 1, args.rate, calls)
        try:
            flood.wait(timeout=args.seconds + 15)
        except subprocess.TimeoutExpired:
            lab.stop(flood)
        blocked = blocked_count(lab, args)
        sent, errors, elapsed, rounds = (cb.tail(workdir, "flood.log", 1).split() + ["0"] * 4)[:4]
        flood_pps = int(int(sent) / max(float(elapsed), 0.001)) if sent.isdigit() else 0
        result.update({
            "legit_success_pct": round(100.0 * trial["successful"] / calls, 3),
            "flood_pps": flood_pps,
            "calls": calls, "successful": trial["successful"], "failed": trial["failed"],
            "failure_kinds": trial["failure_kinds"], "rate": args.rate,
            "flood_sources": args.sources, "flood_pps_per_source_target": pps_each,
            "flood_pps_per_source": round(flood_pps / args.sources, 1),
            "flood_sent": int(sent) if sent.isdigit() else 0,
            "blocked_sources": blocked[0], "legit_blocked": blocked[1],
            "drops": drops(lab, args),
        })
    except cb.BenchError as error:
        result["error"] = str(error)
    except (subprocess.CalledProcessError, OSError) as error:
        result["error"] = f"{error} {(getattr(error, 'output', '') or '').strip()}".strip()
    finally:
        if flood is not None:
            lab.stop(flood)
        system.stop(lab)
        lab.down()
        if args.keep_logs:
            result["logs"] = workdir
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>28}: {v}")
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
