"""Classic libpcap files (the format DPDK's net_pcap reads and writes), with the stdlib only.

Only Ethernet captures are used here. Timestamps are carried so that re-addressed inputs keep
the pacing of the original capture, but nothing compares them: net_pcap stamps what it sends
with the time of sending.
"""

import struct
from dataclasses import dataclass

LINKTYPE_ETHERNET = 1
_MAGIC_MICROSECONDS = 0xA1B2C3D4
_MAGIC_NANOSECONDS = 0xA1B23C4D
_SNAPLEN = 65535


@dataclass
class Record:
    data: bytes
    seconds: int = 0
    microseconds: int = 0


def read(path):
    """All records of a pcap file, in order. Raises ValueError on what is not an Ethernet pcap."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 24:
        raise ValueError(f"{path}: shorter than a pcap file header")
    for order in ("<", ">"):
        magic, = struct.unpack(order + "I", blob[:4])
        if magic in (_MAGIC_MICROSECONDS, _MAGIC_NANOSECONDS):
            per_microsecond = 1000 if magic == _MAGIC_NANOSECONDS else 1
            break
    else:
        raise ValueError(f"{path}: not a pcap file (pcapng is not supported)")
    linktype, = struct.unpack(order + "I", blob[20:24])
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError(f"{path}: link type {linktype}, not Ethernet")
    records, offset = [], 24
    while offset < len(blob):
        if offset + 16 > len(blob):
            raise ValueError(f"{path}: record header cut at byte {offset}")
        seconds, fraction, captured, _ = struct.unpack(order + "IIII", blob[offset:offset + 16])
        offset += 16
        if offset + captured > len(blob):
            raise ValueError(f"{path}: record data cut at byte {offset}")
        records.append(Record(blob[offset:offset + captured], seconds, fraction // per_microsecond))
        offset += captured
    return records


def write(path, records):
    """Writes records (Record or plain bytes) as a microsecond, little-endian pcap file."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", _MAGIC_MICROSECONDS, 2, 4, 0, 0, _SNAPLEN, LINKTYPE_ETHERNET))
        for r in records:
            if not isinstance(r, Record):
                r = Record(bytes(r))
            f.write(struct.pack("<IIII", r.seconds, r.microseconds, len(r.data), len(r.data)))
            f.write(r.data)
