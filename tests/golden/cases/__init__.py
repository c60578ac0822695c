"""The golden cases, one module each (the module's name is the case's name; CMake registers a
test golden.<name> for every module here). A case builds a lab (interfaces and sessions) and
the frames sbcd reads on each interface; its module says whether it needs the shared test
data (NEEDS_TESTDATA) and what it shows (SUMMARY). Inputs are made at test time, in memory:
the test data they start from is read where it lies and never copied into the project.
"""

import importlib
import os
from dataclasses import dataclass

NAMES = sorted(name[:-3] for name in os.listdir(os.path.dirname(__file__))
               if name.endswith(".py") and not name.startswith("_"))


@dataclass
class Case:
    lab: object  # lab.Lab
    inputs: dict  # interface name -> [pcap_file.Record]
    # Every relayed frame must also decode as this protocol (e.g. "rtpevent").
    required_protocol: str = None
    # ARP/ND probes of static next hops are set aside from the comparison and noted, except in
    # the test about exactly that, which requires none.
    probes_allowed: bool = True


def load(name):
    """The case module: NEEDS_TESTDATA, SUMMARY and build(testdata_dir) -> Case."""
    if name not in NAMES:
        raise KeyError(f"no golden case '{name}'; cases: {', '.join(NAMES)}")
    return importlib.import_module(f"cases.{name}")
