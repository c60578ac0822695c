#!/usr/bin/env python3
"""Golden test of sbcd's media relay through DPDK net_pcap ports: input pcaps go in, the output
pcaps are compared with the reference model frame by frame and byte for byte (checksums
included), the drop counters reason by reason, and tshark must decode every relayed frame as
valid RTP/RTCP.

    run_golden.py --build BUILD_DIR --case NAME [--testdata DIR] [--keep]
    run_golden.py --list

Exit status: 0 passed, 1 failed, 77 skipped (no root, no tshark, or a case's test data is
absent: $SBC_TESTDATA, else ../shared/testdata beside the checkout), 2 bad usage.
"""

import sys

sys.dont_write_bytecode = True  # nothing of the test is written into the source tree

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

import cases  # noqa: E402
import golden_compare  # noqa: E402
import sbcd_run  # noqa: E402
import tshark_check  # noqa: E402
from expectation import expect  # noqa: E402

SKIPPED = 77
REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def default_testdata():
    return os.environ.get("SBC_TESTDATA") or os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "testdata"))


def skip_reason(case_module, testdata):
    if os.geteuid() != 0:
        return "sbcd must run as root (DPDK EAL)"
    if not tshark_check.available():
        return "tshark is not installed (apt-get install tshark)"
    if case_module.NEEDS_TESTDATA and not os.path.isdir(testdata):
        return f"test data not found at {testdata} (set SBC_TESTDATA)"
    return None


def verify(case, expected, result, work_dir):
    """Every disagreement between sbcd's run and the expectation, as lines of text."""
    failures, notes = [], []
    for iface in case.lab.interfaces:
        sent = result.outputs[iface.name]
        relayed, own = golden_compare.split_own_frames(iface, sent)
        if own and case.probes_allowed:
            notes.append(f"{iface.name}: set aside {len(own)} ARP/ND probe(s) of static next hops "
                         "(golden.static_neighbor_not_probed is about them)")
        elif own:
            failures.append(f"{iface.name}: sbcd sent {len(own)} ARP/ND probe(s) of its static next hops; "
                            "a configured next hop needs none")
        failures += golden_compare.compare_frames(iface.name, [r.frame for r in expected.outputs[iface.name]], relayed)
        inputs = [r.data for r in case.inputs.get(iface.name, [])]
        failures += golden_compare.compare_interface(result.interfaces[iface.name], inputs, sent, relayed, own)
        if relayed:
            own_numbers = {i + 1 for i, frame in enumerate(sent) if frame in own}
            failures += tshark_check.check(os.path.join(work_dir, f"out-{iface.name}.pcap"),
                                           *decode_as_ports(case.lab), skip_frames=own_numbers,
                                           required_protocol=case.required_protocol)
    failures += golden_compare.compare_drops(expected.model.totals, result.drops)
    failures += golden_compare.compare_sessions(expected.model, case.lab, result.sessions)
    return failures, notes


def decode_as_ports(lab):
    """The SBC's RTP and RTCP ports: every relayed frame leaves from one of them."""
    rtp, rtcp = set(), set()
    for session in lab.sessions:
        for leg in session.legs:
            rtp.add(leg.local[1])
            if not leg.rtcp_mux:
                rtcp.add(leg.local[1] + 1)
    return rtp, rtcp


def summarize(case, expected):
    relayed = {name: len(frames) for name, frames in expected.outputs.items()}
    drops = {reason: n for reason, n in sorted(expected.model.totals.drops.items())}
    inputs = {name: len(records) for name, records in case.inputs.items()}
    return f"inputs {inputs}; expected relayed {relayed}; expected drops {drops}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", help="build directory holding sbcd and sbcctl")
    parser.add_argument("--case", help="the case to run")
    parser.add_argument("--testdata", default=default_testdata(), help="shared test data folder")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (pcaps, config, log)")
    parser.add_argument("--list", action="store_true", help="list the cases")
    args = parser.parse_args()
    if args.list:
        for name in cases.NAMES:
            print(f"{name:34} {cases.load(name).SUMMARY}")
        return 0
    if not args.build or not args.case:
        parser.error("--build and --case are required")
    case_module = cases.load(args.case)
    print(f"golden.{args.case}: {case_module.SUMMARY}")
    reason = skip_reason(case_module, args.testdata)
    if reason:
        print(f"SKIPPED: {reason}")
        return SKIPPED
    for binary in ("sbcd", "sbcctl"):
        if not os.access(os.path.join(args.build, binary), os.X_OK):
            print(f"FAILED: {os.path.join(args.build, binary)} not built")
            return 1

    case = case_module.build(args.testdata)
    expected = expect(case)
    print(summarize(case, expected))
    work_dir = tempfile.mkdtemp(prefix=f"sbc-golden-{args.case}-")
    try:
        try:
            result = sbcd_run.run(case.lab, case.inputs, args.build, work_dir)
            failures, notes = verify(case, expected, result, work_dir)
        except sbcd_run.RunError as error:
            failures, notes = [str(error)], []
    finally:
        if args.keep:
            print(f"work directory kept: {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    for note in notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("FAILED" if failures else "PASSED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
