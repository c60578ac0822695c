#!/usr/bin/env python3
"""sbcbench calls: the highest call rate an SBC carries with under 0.1 % failed calls.

For each system under test it builds the project's three-namespace lab (carrier, SBC,
contact center; tests/integration/lib/lab.sh), starts the system in the SBC namespace, and
runs trials: a sipp UAS at the contact center's VIP, a sipp UAC on the carrier host that
places a bounded number of calls (INVITE with SDP offer, 200 with answer, ACK, a short hold,
BYE) at a fixed rate. The rate doubles until a trial fails, then is bisected. The first trial
is a slow probe whose messages are logged, to prove that the media was anchored: the SDP the
UAS received must name the SBC's core address, the SDP the UAC received its access address.

    calls_bench.py [--systems sbc,kamailio+rtpengine] [--max-seconds S] [--json] ...

Python 3 standard library only; run as root (namespaces). See bench/calls/README.md.
"""

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))

# The lab's addresses (tests/integration/lib/lab.sh), all from 198.18.0.0/15.
CAR_IP = "198.18.1.10"
SBC_ACC_IP = "198.18.1.1"
SBC_CORE_IP = "198.18.2.1"
VIP = "198.18.2.10"
SIP_PORT = 5060
CAR_MEDIA_PORT = 6000
VIP_MEDIA_PORT = 7000
SBC_ACC_MAC = "02:5b:c0:00:01:01"
SBC_CORE_MAC = "02:5b:c0:00:02:01"
CAR_MAC = "02:5b:c0:00:01:0a"
CC_MAC = "02:5b:c0:00:02:0a"

FAILED_PCT_LIMIT = 0.1      # a trial passes with strictly fewer failed calls than this
PROBE_CALLS = 20
RECV_TIMEOUT_MS = 5000      # a call that waits longer than this for a message has failed


def log(message):
    print(f"[calls] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """A system could not be measured; the message goes into its result as "error"."""


def run(argv, timeout=30, check=True):
    return subprocess.run(argv, check=check, timeout=timeout, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


class Lab:
    """The three namespaces joined by veths, named per run so that runs never collide.

    kernel_addresses: the SBC's addresses sit on its veths (kamailio, a kernel application);
    otherwise the veths carry none and sbcd owns them through net_af_packet, its exception
    path putting the addresses on TAPs of its own, as in the integration tests.
    """

    def __init__(self, tag, kernel_addresses, workdir):
        self.sbc, self.car, self.cc = f"{tag}-sbc", f"{tag}-car", f"{tag}-cc"
        self.kernel_addresses = kernel_addresses
        self.workdir = workdir
        self.processes = []     # every process we started, to be stopped by PID
        self.created = []       # namespaces created so far, for down() after a partial up()

    def up(self):
        for ns in (self.sbc, self.car, self.cc):
            run(["ip", "netns", "add", ns])
            self.created.append(ns)
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        self._link("acc", self.car, "car0", CAR_IP, CAR_MAC, SBC_ACC_MAC)
        self._link("core", self.cc, "cc0", VIP, CC_MAC, SBC_CORE_MAC)
        if self.kernel_addresses:
            run(["ip", "-n", self.sbc, "addr", "add", f"{SBC_ACC_IP}/24", "dev", "acc"])
            run(["ip", "-n", self.sbc, "addr", "add", f"{SBC_CORE_IP}/24", "dev", "core"])

    def _link(self, sbc_end, host_ns, host_end, host_ip, host_mac, sbc_mac):
        run(["ip", "-n", self.sbc, "link", "add", sbc_end, "address", sbc_mac, "type", "veth",
             "peer", "name", host_end, "netns", host_ns])
        run(["ip", "-n", host_ns, "link", "set", host_end, "address", host_mac])
        run(["ip", "-n", host_ns, "addr", "add", f"{host_ip}/24", "dev", host_end])
        run(["ip", "netns", "exec", self.sbc, "sysctl", "-qw",
             f"net.ipv6.conf.{sbc_end}.disable_ipv6=1"])
        # af_packet hands DPDK what the kernel put on the wire: checksums must be complete.
        # Done for every system alike, so that both run on the same links.
        for ns, dev in ((host_ns, host_end), (self.sbc, sbc_end)):
            run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "rx", "off"],
                check=False)
        run(["ip", "-n", self.sbc, "link", "set", sbc_end, "up"])
        run(["ip", "-n", host_ns, "link", "set", host_end, "up"])

    def spawn(self, ns, argv, log_name):
        """Starts argv inside ns (ip netns exec execs it: the PID is the program's). The log
        is appended to: a restarted system keeps what it said before."""
        out = open(os.path.join(self.workdir, log_name), "ab")
        process = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT)
        out.close()
        self.processes.append(process)
        return process

    def stop(self, process, grace=5.0):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def python(self, ns, code, *args, timeout=15):
        """Runs a Python snippet inside ns; returns (exit status, output)."""
        try:
            done = run(["ip", "netns", "exec", ns, sys.executable, "-c", code, *map(str, args)],
                       timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return 1, "timed out"
        return done.returncode, done.stdout

    def reap(self, ns, grace=5.0):
        """Waits until nothing runs in ns, then ends what is left by PID. Only our processes
        and their children (kamailio's workers, rtpengine's helpers) live in our namespaces."""
        deadline = time.monotonic() + grace
        while True:
            pids = run(["ip", "netns", "pids", ns], check=False).stdout.split()
            if not pids:
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass

    def down(self):
        for process in reversed(list(self.processes)):
            self.stop(process)
        for ns in self.created:
            self.reap(ns, grace=1.0)
        for ns in reversed(self.created):
            run(["ip", "netns", "del", ns], check=False)
        self.created.clear()


# --- Small probes run inside a namespace -------------------------------------------------------

# An OPTIONS to the SBC's access address, repeated until something answers.
SIP_PING = r"""
import socket, sys, time
host, port, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[4], 0))
s.settimeout(0.2)
deadline = time.monotonic() + wait
n = 0
while time.monotonic() < deadline:
    n += 1
    msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {sys.argv[4]}:{s.getsockname()[1]};branch=z9hG4bK-ping{n}\r\n"
           f"From: <sip:ping@{sys.argv[4]}>;tag=ping\r\nTo: <sip:{host}>\r\nCall-ID: ping{n}@sbcbench\r\n"
           "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
    s.sendto(msg.encode(), (host, port))
    try:
        print(s.recv(4096).decode(errors="replace").split("\r\n")[0]); sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
"""

# rtpengine's NG protocol (bencode over UDP): a ping, repeated until it answers pong.
NG_PING = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
deadline = time.monotonic() + float(sys.argv[3])
while time.monotonic() < deadline:
    s.sendto(b"sbcbench d7:command4:pinge", (sys.argv[1], int(sys.argv[2])))
    try:
        if b"pong" in s.recv(4096): sys.exit(0)
    except (socket.timeout, ConnectionRefusedError):
        time.sleep(0.1)
sys.exit(1)
"""

# rtpengine's CLI (text over TCP): the output of "list totals".
RTPENGINE_TOTALS = r"""
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"list totals\n")
out = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    out += chunk
print(out.decode(errors="replace"))
"""


# --- Systems under test ------------------------------------------------------------------------

class KamailioRtpengine:
    """kamailio as the SBC (kamailio.cfg) with rtpengine anchoring the media (rtpengine.conf)."""

    name = "kamailio+rtpengine"
    kernel_addresses = True

    def __init__(self, args):
        self.args = args
        self.kamailio = self.rtpengine = None

    def start(self, lab):
        for program in ("kamailio", "rtpengine"):
            if not shutil.which(program):
                raise BenchError(f"{program} is not installed (tools/install-deps.sh)")
        # rtpengine first, and answering: kamailio pings it once at start and, finding it
        # silent, would leave it disabled for a minute.
        self.rtpengine = lab.spawn(lab.sbc, [
            "rtpengine", f"--config-file={HERE}/rtpengine.conf", "--config-section=sbcbench",
            f"--pidfile={lab.workdir}/rtpengine.pid"], "rtpengine.log")
        status, _ = lab.python(lab.sbc, NG_PING, "127.0.0.1", 2223, 10)
        if status != 0:
            raise BenchError("rtpengine did not answer an NG ping in 10 s: "
                             + tail(lab.workdir, "rtpengine.log"))
        self.kamailio = lab.spawn(lab.sbc, [
            "kamailio", "-f", f"{HERE}/kamailio.cfg", "-DD", "-E",
            "-m", str(self.args.kamailio_shm_mb), "-M", "16",
            "-Y", lab.workdir, "-P", f"{lab.workdir}/kamailio.pid"], "kamailio.log")
        status, _ = lab.python(lab.car, SIP_PING, SBC_ACC_IP, SIP_PORT, 15, CAR_IP, timeout=20)
        if status != 0:
            raise BenchError("kamailio did not answer OPTIONS in 15 s: "
                             + tail(lab.workdir, "kamailio.log"))

    def dead(self):
        for name, process in (("rtpengine", self.rtpengine), ("kamailio", self.kamailio)):
            if process is not None and process.poll() is not None:
                return f"{name} exited with status {process.returncode}"
        return None

    def media_sessions(self, lab):
        """rtpengine's own count of the calls it has managed: proof from the media side."""
        status, out = lab.python(lab.sbc, RTPENGINE_TOTALS, "127.0.0.1", 2224)
        match = re.search(r"Total managed sessions\s*:\s*(\d+)", out)
        return int(match.group(1)) if status == 0 and match else None

    def stop(self, lab):
        for process in (self.kamailio, self.rtpengine):
            if process is not None:
                lab.stop(process)


class Sbcd:
    """Our sbcd (bench/calls/sbc-calls.conf), its veths owned by DPDK net_af_packet ports."""

    name = "sbc"
    kernel_addresses = False

    def __init__(self, args):
        self.args = args
        self.process = None
        self.starts = 0

    def binary(self):
        if self.args.sbcd:
            return self.args.sbcd
        # The sbcd built beside the sbcbench that started us, else the project's build/.
        beside = os.path.join(os.environ.get("SBCBENCH_BUILD_DIR", ""), "sbcd")
        if os.environ.get("SBCBENCH_BUILD_DIR") and os.access(beside, os.X_OK):
            return beside
        return os.path.join(SOURCE, "build", "sbcd")

    def start(self, lab):
        binary = self.binary()
        self.args.sbcd_used = binary  # reported with the result: which build was measured
        if not os.access(binary, os.X_OK):
            raise BenchError(f"no sbcd at {binary} (build it, or pass --sbcd)")
        # A log per start: "sbcd ready" must come from this one.
        self.starts += 1
        log_name = "sbcd.log" if self.starts == 1 else f"sbcd-{self.starts}.log"
        self.process = lab.spawn(lab.sbc, [binary, "-f", self.args.sbc_config,
                                           "-s", f"{lab.workdir}/sbcd.sock"], log_name)
        deadline = time.monotonic() + 30
        while not log_contains(lab.workdir, log_name, "sbcd ready"):
            if self.process.poll() is not None:
                raise BenchError(f"sbcd exited with status {self.process.returncode}: "
                                 + tail(lab.workdir, log_name))
            if time.monotonic() > deadline:
                raise BenchError("sbcd not ready in 30 s: " + tail(lab.workdir, log_name))
            time.sleep(0.1)

    def dead(self):
        if self.process is not None and self.process.poll() is not None:
            return f"sbcd exited with status {self.process.returncode}"
        return None

    def media_sessions(self, lab):
        return None

    def stop(self, lab):
        if self.process is not None:
            lab.stop(self.process)


SYSTEMS = {"sbc": Sbcd, "kamailio+rtpengine": KamailioRtpengine}


def log_contains(workdir, name, text):
    try:
        with open(os.path.join(workdir, name), errors="replace") as f:
            return text in f.read()
    except OSError:
        return False


def tail(workdir, name, lines=5):
    try:
        with open(os.path.join(workdir, name), errors="replace") as f:
            return " | ".join(line.strip() for line in f.read().splitlines()[-lines:]) or "(empty log)"
    except OSError:
        return "(no log)"


# --- One trial ---------------------------------------------------------------------------------

def sipp_common(trial_limit_s):
    return ["-nostdin", "-buff_size", "4194304", "-timeout", f"{trial_limit_s}s",
            # This machine is shared: a late scheduler tick is not a reason for sipp to quit.
            "-watchdog_major_maxtriggers", "1000000", "-watchdog_minor_maxtriggers", "1000000"]


def wait_udp_bound(lab, ns, address, port, wait=5.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        out = run(["ip", "netns", "exec", ns, "ss", "-Hlun", f"src {address}:{port}"],
                  check=False).stdout
        if out.strip():
            return True
        time.sleep(0.05)
    return False


def read_final_stats(path):
    """The last row of sipp's -trace_stat CSV (';'-separated), as a dict."""
    with open(path, newline="", errors="replace") as f:
        rows = list(csv.reader(f, delimiter=";"))
    # A row cut short (sipp stopped while writing it) is skipped.
    complete = [row for row in rows[1:] if len(row) >= len(rows[0]) - 1] if rows else []
    if not complete or "SuccessfulCall(C)" not in rows[0]:
        raise BenchError(f"sipp wrote no statistics ({path})")
    return dict(zip(rows[0], complete[-1]))


def sipp_seconds(stats):
    """From sipp's start to its last report: its ElapsedTime is in whole seconds only, but
    StartTime and CurrentTime end with the Unix time to the microsecond."""
    epoch = lambda field: float(stats[field].split()[-1])
    return epoch("CurrentTime") - epoch("StartTime")


def run_trial(lab, args, number, rate, calls, trace=False):
    hold_s = args.hold_ms / 1000
    nominal = calls / rate + hold_s
    # sipp stops by itself this long after its start: the last call's 5 s receive timeout
    # and the retransmissions before it have run out by then.
    limit = trial_limit(args, rate, calls)
    name = f"trial{number:02d}-{rate}cps"
    uas_argv = ["sipp", "-sf", f"{HERE}/uas.xml", "-i", VIP, "-p", str(SIP_PORT),
                "-mi", VIP, "-mp", str(VIP_MEDIA_PORT),
                *sipp_common(limit + int(args.vip_settle) + 5)]
    uac_argv = ["sipp", f"{SBC_ACC_IP}:{SIP_PORT}", "-sf", f"{HERE}/uac.xml",
                "-i", CAR_IP, "-p", str(SIP_PORT), "-mi", CAR_IP, "-mp", str(CAR_MEDIA_PORT),
                "-s", "5551000", "-r", str(rate), "-rp", "1000", "-m", str(calls),
                # Room for every call of a few seconds in flight: sipp must never hold back
                # new calls to wait for old ones, or the rate it offers is not `rate`.
                "-l", str(max(1000, int(rate * (hold_s + 5)))),
                "-d", str(args.hold_ms), "-recv_timeout", str(RECV_TIMEOUT_MS),
                "-trace_stat", "-stf", f"{lab.workdir}/{name}-uac.csv", "-fd", "1",
                *sipp_common(limit)]
    if trace:
        uas_argv += ["-trace_msg", "-message_file", f"{lab.workdir}/{name}-uas.msg"]
        uac_argv += ["-trace_msg", "-message_file", f"{lab.workdir}/{name}-uac.msg"]

    uas = lab.spawn(lab.cc, uas_argv, f"{name}-uas.log")
    try:
        if not wait_udp_bound(lab, lab.cc, VIP, SIP_PORT):
            raise BenchError("the sipp UAS did not start: " + tail(lab.workdir, f"{name}-uas.log"))
        # An SBC that health-checks its VIP with OPTIONS saw nobody there between trials:
        # give it time to see the UAS up before the first call.
        time.sleep(args.vip_settle)
        started = time.monotonic()
        uac = lab.spawn(lab.car, uac_argv, f"{name}-uac.log")
        try:
            uac.wait(timeout=limit + 5)
        except subprocess.TimeoutExpired:
            log(f"  sipp UAC overran {limit + 5} s; stopped")
        lab.stop(uac)
        wall = time.monotonic() - started
    finally:
        lab.stop(uas)
    # sipp exits 0 when every call passed, 1 when some failed; other statuses (a fatal error,
    # or our SIGTERM after an overrun) count only if no statistics came out of it.
    try:
        stats = read_final_stats(f"{lab.workdir}/{name}-uac.csv")
    except (OSError, BenchError):
        raise BenchError(f"sipp UAC exited with status {uac.returncode} and no statistics: "
                         + tail(lab.workdir, f"{name}-uac.log"))
    successful = int(stats["SuccessfulCall(C)"])
    # Calls sipp never finished (still in flight at its timeout) count as failed too.
    failed = calls - successful
    seconds = sipp_seconds(stats)
    failed_pct = 100.0 * failed / calls
    # The rate was carried only if the calls did not pile up: a slow SBC (or a starved
    # sipp) stretches the trial even when every call ends well.
    kept_up = seconds <= nominal * 1.1 + 1.0
    return {"rate": rate, "calls": calls, "successful": successful, "failed": failed,
            "failed_pct": round(failed_pct, 3), "seconds": round(seconds, 2),
            "wall_s": round(wall, 2), "kept_up": kept_up,
            "passed": failed_pct < FAILED_PCT_LIMIT and kept_up,
            "retransmissions": int(stats.get("Retransmissions(C)", 0) or 0),
            # sipp's reasons, e.g. {"TimeoutOnRecv": 20}: where to look when calls fail.
            "failure_kinds": {k[6:-3]: int(v) for k, v in stats.items()
                              if k.startswith("Failed") and k.endswith("(C)") and v.isdigit()
                              and int(v) and k != "FailedCall(C)"},
            "name": name}


# --- Media anchoring and topology hiding, from the probe's message logs -------------------------

def sipp_messages(path, direction):
    """The SIP messages sipp logged as `direction` ("received" or "sent")."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    messages = []
    for block in re.split(r"^-{20,}.*$", text, flags=re.M):
        head, _, body = block.strip().partition("\n")
        if f"message {direction}" in head:
            messages.append(body.strip())
    return messages


def sdp_connection(message):
    """(address, port) of the first audio stream of a message's SDP, or None."""
    address = re.search(r"^c=IN IP4 (\S+)", message, flags=re.M)
    port = re.search(r"^m=audio (\d+)", message, flags=re.M)
    if not address or not port:
        return None
    return address.group(1), int(port.group(1))


def check_anchoring(workdir, name):
    """Raises unless every SDP each side received names the SBC's address on that side."""
    invites = [m for m in sipp_messages(f"{workdir}/{name}-uas.msg", "received")
               if m.startswith("INVITE ")]
    answers = [m for m in sipp_messages(f"{workdir}/{name}-uac.msg", "received")
               if m.startswith("SIP/2.0 200") and "application/sdp" in m]
    if not invites or not answers:
        raise BenchError(f"the probe logged {len(invites)} INVITEs at the UAS and "
                         f"{len(answers)} SDP answers at the UAC; nothing to check anchoring on")
    for side, messages, address, peer_port in (("UAS (core)", invites, SBC_CORE_IP, CAR_MEDIA_PORT),
                                               ("UAC (access)", answers, SBC_ACC_IP, VIP_MEDIA_PORT)):
        for message in messages:
            media = sdp_connection(message)
            if media is None or media[0] != address or media[1] == peer_port:
                raise BenchError(f"media not anchored: the SDP the {side} received names "
                                 f"{media}, not {address} and a port of the SBC's")
    # DESIGN.md: no core address ever leaves on the access side.
    received = sipp_messages(f"{workdir}/{name}-uac.msg", "received")
    return {"media_anchored": True, "anchored_calls": len(answers),
            "topology_hidden": not any(VIP in m or SBC_CORE_IP in m for m in received)}


# --- The search --------------------------------------------------------------------------------

def trial_calls(args, rate):
    # At least 1,000 calls, so that one failed call already fails the trial (0.1 %).
    return max(1000, int(rate * args.trial_seconds))


def trial_limit(args, rate, calls):
    return int(calls / rate + args.hold_ms / 1000 + 8)


def trial_estimate(args, rate):
    """The longest a trial can take, its system's restart (about 3 s) included, so that
    --max-seconds holds even when the last trial fails."""
    return trial_limit(args, rate, trial_calls(args, rate)) + args.vip_settle + args.cooldown + 3


def restart(system, lab, args):
    """An overloaded SBC keeps the wreck of the failed calls (half-open media sessions hold
    their ports until rtpengine's 60 s timeout, say): each trial after a failed one starts
    from a freshly started system."""
    log("  restarting the system")
    system.stop(lab)
    lab.reap(lab.sbc)
    time.sleep(args.cooldown)
    system.start(lab)


def measure(system, args, lab, deadline):
    """Ramp the rate up by doubling until a trial fails, then bisect. Returns the result."""
    result = {"system": system.name, "cps": 0, "failed_pct": None}
    trials = []
    system.start(lab)

    # The probe: a few slow calls, every message logged, to check the anchoring.
    probe = run_trial(lab, args, 0, 10, PROBE_CALLS, trace=True)
    probe["probe"] = True
    trials.append(probe)
    log(f"  probe: {probe['successful']}/{probe['calls']} calls completed")
    if probe["successful"] == 0:
        raise BenchError(f"no call completed through {system.name} (probe: "
                         f"{probe['calls']} calls, all failed: {probe['failure_kinds']})")
    result.update(check_anchoring(lab.workdir, probe["name"]))
    sessions = system.media_sessions(lab)
    if sessions is not None:
        result["media_sessions_probe"] = sessions  # rtpengine's own count, >= the probe's calls
        if sessions < probe["successful"]:
            raise BenchError(f"rtpengine managed {sessions} sessions for {probe['successful']} calls")

    best = None         # the fastest passing trial
    failing = None      # the slowest failing rate
    needs_restart = False  # after a failed trial, before the next one
    rate = args.start_rate
    resolution = max(25, args.start_rate // 20)
    while True:
        trial = None
        # This machine is shared: a rate fails only if it fails 1 + --retries times.
        for _ in range(1 + args.retries):
            if time.monotonic() + trial_estimate(args, rate) > deadline:
                result["note"] = f"stopped by --max-seconds {args.max_seconds:g}"
                break
            dead = system.dead()
            if dead:
                # A crash under load is a result too: say so, and measure on.
                log(f"  {dead}")
                result.setdefault("exits", []).append(f"{dead} (before a {rate} cps trial)")
            if needs_restart or dead:
                try:
                    restart(system, lab, args)
                except BenchError as error:  # keep what was measured so far
                    result["note"] = f"stopped: the restart failed: {error}"
                    break
                needs_restart = False
            trial = run_trial(lab, args, len(trials), rate, trial_calls(args, rate))
            trials.append(trial)
            log(f"  {rate:6d} cps: {trial['successful']}/{trial['calls']} calls, "
                f"{trial['failed_pct']} % failed, {trial['seconds']} s"
                f"{'' if trial['kept_up'] else ' (fell behind)'} -> "
                f"{'pass' if trial['passed'] else 'FAIL'}")
            if trial["passed"]:
                break
            needs_restart = True
        if trial is None or "note" in result:
            break
        if trial["passed"]:
            best = trial if best is None or trial["rate"] > best["rate"] else best
        else:
            failing = rate if failing is None else min(failing, rate)
        low = best["rate"] if best else 0
        if failing is None:
            if rate >= args.max_rate:
                result["note"] = f"reached --max-rate {args.max_rate}"
                break
            rate = min(rate * 2, args.max_rate)
        else:
            if failing - low <= max(resolution, low // 20):
                break
            rate = (low + failing) // 2
        if trial["passed"]:
            # Let the SBC drain what a trial left (transactions in their timers).
            time.sleep(args.cooldown)

    if best:
        result["cps"] = best["rate"]
        result["failed_pct"] = best["failed_pct"]
    else:
        result["failed_pct"] = trials[-1]["failed_pct"]
        tried = [t["rate"] for t in trials if not t.get("probe")]
        result["error"] = (f"no trial passed (lowest rate tried: {min(tried)} cps)" if tried
                           else "no trial fitted in --max-seconds")
    result["trials"] = [{k: v for k, v in t.items() if k != "name"} for t in trials]
    return result


def bench_system(name, args, run_id):
    system = SYSTEMS[name](args)
    workdir = tempfile.mkdtemp(prefix=f"sbcbench-calls-{name.replace('+', '-')}-")
    lab = Lab(f"sbcb{run_id}{'k' if system.kernel_addresses else 's'}", system.kernel_addresses,
              workdir)
    log(f"{name}: namespaces {lab.sbc}, {lab.car}, {lab.cc}"
        + (f"; logs in {workdir}" if args.keep_logs else ""))
    started = time.monotonic()
    # The budget covers everything but the teardown (a few seconds).
    deadline = started + args.max_seconds
    try:
        lab.up()
        result = measure(system, args, lab, deadline)
    except BenchError as error:
        result = {"system": name, "cps": 0, "failed_pct": None, "error": str(error)}
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "output", "") or ""
        result = {"system": name, "cps": 0, "failed_pct": None,
                  "error": f"{error} {detail.strip()}".strip()}
    finally:
        system.stop(lab)
        lab.down()
        if not args.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    if name == "sbc" and getattr(args, "sbcd_used", None):
        result["sbcd"] = args.sbcd_used
    if args.keep_logs:
        result["logs"] = workdir
    if "error" in result:
        log(f"{name}: error: {result['error']}")
    log(f"{name}: {result['cps']} cps")
    return result


def parse_arguments():
    p = argparse.ArgumentParser(prog="sbcbench calls", description=__doc__.split("\n")[0])
    p.add_argument("--systems", default="sbc,kamailio+rtpengine",
                   help="comma-separated, from: " + ", ".join(SYSTEMS))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--max-seconds", type=float, default=300,
                   help="time budget for each system, start and probe included (300)")
    p.add_argument("--start-rate", type=int, default=500, help="first rate of the ramp (500)")
    p.add_argument("--max-rate", type=int, default=40000, help="the ramp stops here (40000)")
    p.add_argument("--trial-seconds", type=float, default=5,
                   help="calls per trial = rate x this, at least 1000 (5)")
    p.add_argument("--hold-ms", type=int, default=100, help="time between ACK and BYE (100)")
    p.add_argument("--cooldown", type=float, default=1.0, help="pause between trials (1 s)")
    p.add_argument("--retries", type=int, default=1,
                   help="a failed rate is tried again this many times, from a restarted "
                        "system, before it counts as failed (1)")
    p.add_argument("--vip-settle", type=float, default=1.0,
                   help="wait between starting the UAS and the first call, for the SBC's "
                        "OPTIONS health check to find the VIP up (1 s)")
    p.add_argument("--sbcd", help="the sbcd binary (default: beside sbcbench, else build/sbcd)")
    p.add_argument("--sbc-config", default=os.path.join(HERE, "sbc-calls.conf"))
    p.add_argument("--kamailio-shm-mb", type=int, default=1024)
    p.add_argument("--keep-logs", action="store_true", help="keep every log and message trace")
    args = p.parse_args()
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in args.systems if s not in SYSTEMS]
    if unknown or not args.systems:
        p.error(f"unknown system(s) {unknown}; choose from {', '.join(SYSTEMS)}")
    if args.start_rate < 1 or args.max_rate < args.start_rate or args.max_seconds <= 0:
        p.error("need 1 <= --start-rate <= --max-rate and --max-seconds > 0")
    return args


def main():
    args = parse_arguments()
    if os.geteuid() != 0:
        print("sbcbench calls: needs root (network namespaces)", file=sys.stderr)
        return 2
    if not shutil.which("sipp"):
        print("sbcbench calls: sipp is not installed (tools/install-deps.sh)", file=sys.stderr)
        return 2
    # SIGTERM/SIGHUP unwind like Ctrl-C, so that the finally blocks stop every process we
    # started and remove the namespaces.
    def interrupted(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    results = [bench_system(name, args, os.getpid()) for name in args.systems]
    cps = {r["system"]: r["cps"] for r in results}
    ratio = None
    if "sbc" in cps and cps.get("kamailio+rtpengine"):
        ratio = round(cps["sbc"] / cps["kamailio+rtpengine"], 3)
    if args.json:
        print(json.dumps({"bench": "calls", "results": results, "ratio": ratio}))
    else:
        for r in results:
            line = f"{r['system']:>20}: {r['cps']:6d} calls/s, failed {r['failed_pct']} %"
            print(line + (f"  (error: {r['error']})" if "error" in r else ""))
        if ratio is not None:
            print(f"{'ratio':>20}: {ratio}")
    # A failed system is reported, not fatal; only a run that measured nothing fails.
    return 0 if any("error" not in r for r in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
