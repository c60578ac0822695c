"""Runs sbcd once over pcap files: writes the inputs, the configuration and the session
commands into a work directory, starts sbcd on net_pcap ports, waits until it has read and
accounted for every input frame, reads its counters, stops it with SIGTERM (net_pcap writes
the tx files out when the ports close) and returns what it sent.
"""

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass

import pcap_file

READY_TIMEOUT_S = 20
DRAIN_TIMEOUT_S = 20
STOP_TIMEOUT_S = 15
POLL_INTERVAL_S = 0.02
# Where DPDK keeps the runtime files of `--file-prefix sbcd<pid>` as root; the EAL leaves them.
DPDK_RUNTIME_DIR = "/var/run/dpdk"


class RunError(Exception):
    """sbcd did not start, did not take in the inputs, or did not stop cleanly."""


@dataclass
class RunResult:
    outputs: dict  # interface name -> [frame bytes] it sent, in order
    interfaces: dict  # interface name -> its object of `show interfaces json`
    drops: dict  # `show drops all json`
    sessions: list  # `show sessions json`["sessions"]
    log: str


def run(lab, inputs, build_dir, work_dir):
    """inputs: interface name -> [pcap_file.Record or bytes]. Every interface gets an rx file
    (a header alone when it sends nothing)."""
    pcaps = {}
    for iface in lab.interfaces:
        rx = os.path.join(work_dir, f"in-{iface.name}.pcap")
        tx = os.path.join(work_dir, f"out-{iface.name}.pcap")
        pcap_file.write(rx, inputs.get(iface.name, []))
        pcaps[iface.name] = (rx, tx)
    config = os.path.join(work_dir, "sbcd.conf")
    sessions = os.path.join(work_dir, "sessions.cli")
    with open(config, "w") as f:
        f.write(lab.config_text(pcaps))
    with open(sessions, "w") as f:
        f.write(lab.sessions_cli())
    socket = os.path.join(work_dir, "sbcd.sock")
    log_path = os.path.join(work_dir, "sbcd.log")
    expected_rx = {iface.name: len(inputs.get(iface.name, [])) for iface in lab.interfaces}

    sbcd = os.path.join(build_dir, "sbcd")
    with open(log_path, "w") as log:
        process = subprocess.Popen([sbcd, "-f", config, "-s", socket, "--exec", sessions],
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_ready(process, log_path)
        ctl = _Ctl(build_dir, socket)
        interfaces, drops = _wait_drained(ctl, expected_rx)
        session_list = ctl.query("show sessions json")["sessions"]
        _stop(process, log_path)
    finally:
        if process.poll() is None:  # an error above: never leave an sbcd behind
            _terminate(process)
        _remove_dpdk_runtime_files(process.pid)
    outputs = {name: [r.data for r in pcap_file.read(tx)] for name, (_, tx) in pcaps.items()}
    return RunResult(outputs, interfaces, drops, session_list, _read(log_path))


class _Ctl:
    def __init__(self, build_dir, socket):
        self.argv = [os.path.join(build_dir, "sbcctl"), "-s", socket]

    def query(self, command):
        done = subprocess.run(self.argv + command.split(), capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            raise RunError(f"sbcctl {command}: rc {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
        return json.loads(done.stdout)


def _wait_ready(process, log_path):
    deadline = time.monotonic() + READY_TIMEOUT_S
    while "sbcd ready" not in _read(log_path):
        if process.poll() is not None:
            raise RunError(f"sbcd exited with {process.returncode} before it was ready:\n{_read(log_path)}")
        if time.monotonic() > deadline:
            raise RunError(f"sbcd not ready after {READY_TIMEOUT_S} s:\n{_read(log_path)}")
        time.sleep(POLL_INTERVAL_S)


def _wait_drained(ctl, expected_rx):
    """Polls until every interface has received all of its input frames and every received
    frame is either relayed or dropped under a reason. Returns the final counters."""
    total = sum(expected_rx.values())
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while True:
        interfaces = {i["name"]: i for i in ctl.query("show interfaces json")["interfaces"]}
        received = {name: interfaces[name]["rx_packets"] for name in expected_rx}
        drops = ctl.query("show drops all json")
        accounted = drops["dropped"] + drops["media_packets"]
        if received == expected_rx and accounted == total:
            return interfaces, drops
        if time.monotonic() > deadline:
            raise RunError(f"after {DRAIN_TIMEOUT_S} s: received {received} of {expected_rx}; "
                           f"relayed + dropped = {accounted} of {total}\n{json.dumps(drops)}")
        time.sleep(POLL_INTERVAL_S)


def _stop(process, log_path):
    if not _terminate(process):
        raise RunError(f"sbcd did not stop within {STOP_TIMEOUT_S} s of SIGTERM:\n{_read(log_path)}")
    if process.returncode != 0:
        raise RunError(f"sbcd exited with {process.returncode} after SIGTERM:\n{_read(log_path)}")


def _terminate(process):
    """SIGTERM, then SIGKILL if that did not stop it in time. True when SIGTERM sufficed."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
        return True
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False


def _remove_dpdk_runtime_files(pid):
    path = os.path.join(DPDK_RUNTIME_DIR, f"sbcd{pid}")
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


def _read(path):
    with open(path, errors="replace") as f:
        return f.read()
