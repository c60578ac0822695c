#!/usr/bin/env python3
"""Sends SIP bytes at the SBC and reports what came back, as JSON (Python 3 standard library).

Subcommands:
  send FILE...   each file's bytes as one message over UDP or TCP from --src; optionally an
                 OPTIONS probe after it on the same socket (and, for TCP, over UDP too). One JSON
                 line per file: the responses (status, reason, Warning, CSeq), the probe's status.
  options        one OPTIONS from --src; prints its status.
  protos DIR     the PROTOS c07-sip cases (DIR/cases/NNNNNNN): each INVITE test message, after
                 substitution, over UDP (and over TCP where it does not fit in one unfragmented
                 datagram, with an OPTIONS after it on the connection), then the valid case
                 (case 0, as a new call) on the same UDP socket, whose final answer must come
                 (--probe-status); ACK for final responses, the case's teardown (CANCEL) where
                 its INVITE is still open. Prints a summary (counts per verdict and per group,
                 sbcd's RSS with --sbcd-pid); --jsonl writes each case's outcome.
  flood          COUNT malformed datagrams from --src at about --rate per second, and counts the
                 answers (400s with a Warning) that come back.
  uas            a minimal contact center: OPTIONS 200, INVITE 100 then at once --status (486),
                 CANCEL and BYE 200, ACK nothing, anything else 405. Runs for at most --duration
                 seconds or until SIGTERM, then prints what it received.

Every wait is bounded; nothing here retries without a limit.
"""
import argparse
import json
import os
import random
import re
import select
import signal
import socket
import sys
import time

COMPACT = {"i": "call-id", "v": "via", "f": "from", "t": "to", "l": "content-length",
           "m": "contact", "c": "content-type", "k": "supported", "e": "content-encoding"}
# The largest UDP payload that crosses a 1500-octet link without IP fragmentation.
UNFRAGMENTED_UDP = 1500 - 20 - 8


# --- reading SIP ---------------------------------------------------------------------------------

def split_message(data):
    """(start line, [(lower-case name, value)], body) of one message; lenient."""
    end = data.find(b"\r\n\r\n")
    head, body = (data, b"") if end < 0 else (data[:end], data[end + 4:])
    lines = head.split(b"\r\n")
    fields = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + " " + line.strip().decode("latin-1"))
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        key = name.strip().decode("latin-1").lower()
        fields.append((COMPACT.get(key, key), value.strip().decode("latin-1")))
    return lines[0].decode("latin-1"), fields, body


def field(fields, name):
    for key, value in fields:
        if key == name:
            return value
    return None


def summarize(data):
    """What a test asserts about a message the SBC sent."""
    start, fields, body = split_message(data)
    out = {"start": start[:120]}
    m = re.match(r"SIP/2\.0 (\d{3}) ?(.*)$", start)
    if m:
        out["status"] = int(m.group(1))
        out["reason"] = m.group(2)
    else:
        out["method"] = start.split(" ", 1)[0]
    out["warning"] = [v for k, v in fields if k == "warning"]
    out["cseq"] = field(fields, "cseq")
    out["call_id"] = field(fields, "call-id")
    out["to"] = field(fields, "to")
    for name in ("unsupported", "accept", "allow"):
        value = field(fields, name)
        if value is not None:
            out[name] = value
    out["bytes"] = len(data)
    return out


class StreamCutter:
    """Cuts messages out of a TCP byte stream by Content-Length."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data):
        self.buffer += data
        messages = []
        while True:
            while self.buffer.startswith(b"\r\n"):
                self.buffer = self.buffer[2:]
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return messages
            _, fields, _ = split_message(self.buffer[:end + 4])
            try:
                length = int(field(fields, "content-length") or "0")
            except ValueError:
                length = 0
            total = end + 4 + length
            if len(self.buffer) < total:
                return messages
            messages.append(self.buffer[:total])
            self.buffer = self.buffer[total:]


# --- building SIP --------------------------------------------------------------------------------

def token(n=10):
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def options_probe(src, port, dst, transport="UDP"):
    call_id = "probe-" + token(16)
    text = (f"OPTIONS sip:{dst[0]}:{dst[1]} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} {src}:{port};branch=z9hG4bK-probe-{token()}\r\n"
            f"Max-Forwards: 70\r\n"
            f"From: <sip:probe@{src}>;tag={token(8)}\r\n"
            f"To: <sip:{dst[0]}>\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: 1 OPTIONS\r\n"
            f"Content-Length: 0\r\n\r\n")
    return text.encode(), call_id


def fix_content_length(data):
    """Sets Content-Length to the octets after the header section (RFC 5118 files, SOURCES.md)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return data
    body = len(data) - end - 4
    head = re.sub(rb"(?im)^(content-length|l)([ \t]*:[ \t]*)\d+",
                  lambda m: m.group(1) + m.group(2) + str(body).encode(), data[:end])
    return head + data[end:]


def unique_branches(data):
    """Appends a fresh suffix to every z9hG4bK branch of a Via line, so that a message sent again
    (or one that reuses another file's branch, as several RFC 4475/5118 files do) starts a new
    transaction instead of being absorbed as a retransmission (RFC 3261 17.2.3)."""
    suffix = ("-" + token(6)).encode()

    def via_line(m):
        return re.sub(rb"(branch[ \t]*=[ \t]*z9hG4bK[^;,\s]*)", lambda b: b.group(1) + suffix,
                      m.group(0))
    return re.sub(rb"(?im)^(via|v)[ \t]*:.*$", via_line, data)


def as_invite(data):
    """The same request as an INVITE: the SBC answers OPTIONS itself but forwards INVITEs, and
    RFC 4475 3.3.11 (zeromf) asks for 483 only where the request would be forwarded."""
    data = re.sub(rb"^OPTIONS ", b"INVITE ", data, count=1)
    return re.sub(rb"(?im)^(cseq[ \t]*:[ \t]*\d+[ \t]+)OPTIONS", rb"\1INVITE", data)


def parse_address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def udp_socket(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setblocking(False)
    return s


def tcp_socket(src, dst, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(dst)
    s.setblocking(False)
    return s


def receive_until(sock, done, deadline, stream=None):
    """Collects messages from sock until done(messages) or the deadline; for a stream also
    reports whether the peer closed it. Returns (messages, closed)."""
    messages, closed = [], False
    while time.monotonic() < deadline and not done(messages):
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            if stream is None:
                data = sock.recv(70000)
                messages.append(data)
                continue
            data = sock.recv(65536)
        except BlockingIOError:
            continue
        except (ConnectionResetError, ConnectionRefusedError):
            if stream is None:
                continue  # an ICMP error for an earlier datagram
            closed = True
            break
        if not data:
            closed = True
            break
        messages.extend(stream.feed(data))
    return messages, closed


def answered(call_id, final=True):
    def check(messages):
        for m in messages:
            s = summarize(m)
            if s.get("call_id") == call_id and "status" in s and (s["status"] >= 200 or not final):
                return True
        return False
    return check


# --- send ----------------------------------------------------------------------------------------

def send_one(path, args):
    data = open(path, "rb").read()
    if args.fix_content_length:
        data = fix_content_length(data)
    if args.unique_branch:
        data = unique_branches(data)
    if args.as_invite:
        data = as_invite(data)
    dst = parse_address(args.dst)
    result = {"file": os.path.basename(path), "transport": args.transport, "sent": len(data)}
    if args.transport == "udp":
        sock = udp_socket(args.src)
        port = sock.getsockname()[1]
        try:
            sock.sendto(data, dst)
        except OSError as e:
            result["error"] = f"send: {e}"
        probe_id = None
        if args.probe:
            probe, probe_id = options_probe(args.src, port, dst)
            sock.sendto(probe, dst)
            messages, _ = receive_until(sock, answered(probe_id), time.monotonic() + args.timeout)
        else:
            messages, _ = receive_until(sock, lambda m: False, time.monotonic() + args.timeout)
        more, _ = receive_until(sock, lambda m: False, time.monotonic() + args.linger)
        messages += more
        sock.close()
        result.update(classify(messages, probe_id))
        result["probe"] = result.pop("probe_status") if args.probe else None
        return result
    # TCP: the case, then a probe on the same connection (the stream must still frame), then
    # a half-close so that a message waiting for more body octets ends; then a UDP probe.
    try:
        sock = tcp_socket(args.src, dst, args.timeout)
    except OSError as e:
        result.update({"responses": [], "error": f"connect: {e}", "probe": None})
        return result
    stream = StreamCutter()
    sock.setblocking(True)
    sock.sendall(data)
    port = sock.getsockname()[1]
    probe, probe_id = options_probe(args.src, port, dst, "TCP")
    sock.setblocking(False)
    messages, closed = receive_until(sock, lambda m: False, time.monotonic() + 0.2, stream)
    if not closed:
        try:
            sock.send(probe)
        except OSError:
            closed = True
        if not closed:
            more, closed = receive_until(sock, answered(probe_id), time.monotonic() + args.timeout, stream)
            messages += more
    if not closed:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        more, closed = receive_until(sock, lambda m: False, time.monotonic() + args.linger, stream)
        messages += more
    sock.close()
    result.update(classify(messages, probe_id))
    result["probe_on_connection"] = result.pop("probe_status")
    result["closed_by_sbc"] = closed
    if args.probe:
        usock = udp_socket(args.src)
        uprobe, uid = options_probe(args.src, usock.getsockname()[1], dst)
        usock.sendto(uprobe, dst)
        got, _ = receive_until(usock, answered(uid), time.monotonic() + args.timeout)
        usock.close()
        result["probe"] = classify(got, uid)["probe_status"]
    else:
        result["probe"] = None
    return result


def classify(messages, probe_id):
    responses, probe_status = [], None
    for m in messages:
        s = summarize(m)
        if probe_id is not None and s.get("call_id") == probe_id:
            if s.get("status", 0) >= 200:
                probe_status = s["status"]
            continue
        responses.append(s)
    return {"responses": responses, "probe_status": probe_status}


def cmd_send(args):
    for path in args.files:
        print(json.dumps(send_one(path, args)), flush=True)
    return 0


def cmd_options(args):
    dst = parse_address(args.dst)
    sock = udp_socket(args.src)
    probe, probe_id = options_probe(args.src, sock.getsockname()[1], dst)
    sock.sendto(probe, dst)
    messages, _ = receive_until(sock, answered(probe_id), time.monotonic() + args.timeout)
    print(json.dumps({"status": classify(messages, probe_id)["probe_status"]}))
    return 0


# --- PROTOS --------------------------------------------------------------------------------------

def protos_pdus(raw):
    """The two length-prefixed PDUs of a case file (test message, teardown)."""
    pdus, pos = [], 0
    while pos < len(raw) and len(pdus) < 2:
        space = raw.index(b" ", pos)
        length = int(raw[pos:space])
        pdus.append(raw[space + 1:space + 1 + length])
        pos = space + 1 + length
    return pdus


def protos_fill(pdu, values):
    for name, value in values.items():
        pdu = pdu.replace(b"<" + name.encode() + b">", value.encode())
    end = pdu.find(b"\r\n\r\n")
    body = 0 if end < 0 else len(pdu) - end - 4
    return pdu.replace(b"<Content-Length>", str(body).encode())


def protos_groups(path):
    groups = []
    if path and os.path.exists(path):
        for line in open(path):
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "group":
                continue
            groups.append((int(parts[1]), int(parts[3]), parts[0]))
    return groups


def group_of(groups, case):
    for first, last, name in groups:
        if first <= case <= last:
            return name
    return "?"


def build_ack(invite_filled, response):
    """ACK for a non-2xx final response (RFC 3261 17.1.1.3): the INVITE's Request-URI and top
    Via, the response's To; From, Call-ID and CSeq number from the response."""
    start, fields, _ = split_message(response)
    req_start, req_fields, _ = split_message(invite_filled)
    parts = req_start.split(" ")
    uri = parts[1] if len(parts) >= 3 else "sip:invalid"
    via = field(fields, "via") or field(req_fields, "via") or ""
    cseq = (field(fields, "cseq") or "1").split(" ")[0]
    lines = [f"ACK {uri} SIP/2.0", f"Via: {via.split(',')[0]}", "Max-Forwards: 70",
             f"From: {field(fields, 'from') or ''}", f"To: {field(fields, 'to') or ''}",
             f"Call-ID: {field(fields, 'call-id') or ''}", f"CSeq: {cseq} ACK",
             "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def is_probe(message):
    return (summarize(message).get("call_id") or "").startswith("probe-")


def protos_case(number, path, args, dst, groups, probe_pdu):
    """Case `number`: its INVITE over UDP, then the valid case (case 0, as a fresh call) on the
    same socket, whose final answer (the contact center's, relayed by the B2BUA) must come."""
    pdus = protos_pdus(open(path, "rb").read())
    outcome = {"case": number, "group": group_of(groups, number)}
    sock = udp_socket(args.src)
    port = sock.getsockname()[1]
    values = {"To": f"8005551234@{dst[0]}", "From": f"protos@{args.src}",
              "From-Address": args.src, "From-IP": args.src, "Local-Port": str(port),
              "Branch-ID": f"{number:07d}{token(6)}", "Call-ID": f"protos{number:07d}{token(8)}",
              "CSeq": "1", "Teardown-Method": "CANCEL"}
    invite = protos_fill(pdus[0], values)
    teardown = protos_fill(pdus[1], values) if len(pdus) > 1 else None
    outcome["bytes"] = len(invite)
    transports = ["udp"] + (["tcp"] if len(invite) > UNFRAGMENTED_UDP else [])
    outcome["transports"] = transports
    try:
        sock.sendto(invite, dst)
        outcome["udp_sent"] = True
    except OSError as e:  # larger than any datagram
        outcome["udp_sent"] = False
        outcome["udp_error"] = e.strerror

    def send_probe():
        probe = protos_fill(probe_pdu, dict(values, **{"Call-ID": "probe-" + token(12),
                                                       "Branch-ID": "probe" + token(8)}))
        sock.sendto(probe, dst)
        return probe, field(split_message(probe)[1], "call-id")

    probe, probe_id = send_probe()
    messages, _ = receive_until(sock, answered(probe_id), time.monotonic() + args.probe_timeout)
    if not answered(probe_id)(messages):  # one more try: a lost datagram is not a dead SBC
        outcome["probe_retried"] = True
        probe, probe_id = send_probe()
        more, _ = receive_until(sock, answered(probe_id), time.monotonic() + args.probe_timeout)
        messages += more
    probe_final = next((m for m in messages if summarize(m).get("call_id") == probe_id
                        and summarize(m).get("status", 0) >= 200), None)
    ours = [m for m in messages if not is_probe(m)]
    # An INVITE that is still open (a provisional only) waits briefly for its final answer (the
    # contact center answers at once); then an ACK for a final response, or the teardown.
    statuses = [summarize(m).get("status") or 0 for m in ours]
    if statuses and max(statuses) < 200:
        more, _ = receive_until(sock, lambda m: any(summarize(x).get("status", 0) >= 200 and not is_probe(x)
                                                    for x in m),
                                time.monotonic() + args.final_timeout)
        ours += [m for m in more if not is_probe(m)]
    responses = [summarize(m) for m in ours]
    final = next((m for m, r in zip(ours, responses)
                  if r.get("status", 0) >= 300 and (r.get("cseq") or "").upper().endswith("INVITE")), None)
    try:
        if probe_final is not None and summarize(probe_final)["status"] >= 300:
            sock.sendto(build_ack(probe, probe_final), dst)
        if final is not None:
            sock.sendto(build_ack(invite, final), dst)
        elif responses and teardown is not None:
            sock.sendto(teardown, dst)
            receive_until(sock, lambda m: False, time.monotonic() + 0.05)
    except OSError:
        pass
    sock.close()
    outcome["udp"] = [r.get("status") for r in responses]
    outcome["warning"] = next((w for r in responses for w in r.get("warning", [])), None)
    outcome["probe"] = summarize(probe_final)["status"] if probe_final is not None else None
    if "tcp" in transports:
        outcome["tcp"] = protos_tcp(invite, teardown, args, dst)
    return outcome


def protos_tcp(invite, teardown, args, dst):
    """The case over TCP (too large for one datagram): its answers, and a probe on the
    connection after it; an INVITE left open gets its final answer ACKed or its teardown."""
    try:
        sock = tcp_socket(args.src, dst, args.probe_timeout)
    except OSError as e:
        return {"error": str(e)}
    stream = StreamCutter()
    sock.setblocking(True)
    try:
        sock.sendall(invite)
    except OSError as e:
        sock.close()
        return {"error": str(e)}
    probe, probe_id = options_probe(args.src, sock.getsockname()[1], dst, "TCP")
    sock.setblocking(False)
    try:
        sock.send(probe)
    except OSError:
        pass
    messages, closed = receive_until(sock, answered(probe_id), time.monotonic() + args.probe_timeout, stream)
    got = classify(messages, probe_id)
    ours = [m for m in messages if summarize(m).get("call_id") != probe_id]
    statuses = [summarize(m).get("status") or 0 for m in ours]
    if not closed and statuses and max(statuses) < 200:
        more, closed = receive_until(sock, lambda m: any(summarize(x).get("status", 0) >= 200 for x in m),
                                     time.monotonic() + args.final_timeout, stream)
        ours += more
    responses = [summarize(m) for m in ours]
    final = next((m for m, r in zip(ours, responses)
                  if r.get("status", 0) >= 300 and (r.get("cseq") or "").upper().endswith("INVITE")), None)
    try:
        if not closed and final is not None:
            sock.send(build_ack(invite, final))
        elif not closed and responses and teardown is not None:
            sock.send(teardown)
            receive_until(sock, lambda m: False, time.monotonic() + 0.05, stream)
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
    return {"statuses": [r.get("status") for r in responses],
            "warning": next((w for r in responses for w in r.get("warning", [])), None),
            "probe": got["probe_status"], "closed_by_sbc": closed}


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cmd_protos(args):
    dst = parse_address(args.dst)
    directory = os.path.join(args.dir, "cases")
    names = sorted(n for n in os.listdir(directory) if n.isdigit())
    if args.limit:
        names = names[:args.limit]
    groups = protos_groups(args.groups)
    probe_pdu = protos_pdus(open(os.path.join(directory, "0000000"), "rb").read())[0]
    started = time.monotonic()
    jsonl = open(args.jsonl, "w") if args.jsonl else None
    summary = {"cases": 0, "udp_400": 0, "udp_b2bua": 0, "udp_none": 0, "udp_not_sent": 0,
               "udp_fragmented": 0, "tcp_cases": 0, "tcp_400": 0, "tcp_b2bua": 0, "tcp_none": 0,
               "tcp_errors": 0, "tcp_probe_ok": 0, "probe_ok": 0, "probe_failed": [],
               "probe_retried": 0, "probe_statuses": {}, "statuses": {}, "rss_kib": [], "groups": {},
               "warning_without_text": 0, "stopped_early": False}
    rss_every = max(1, len(names) // 10)
    if args.sbcd_pid:
        summary["rss_kib"].append([0, rss_kib(args.sbcd_pid)])
    for index, name in enumerate(names):
        if time.monotonic() - started > args.time_budget:
            summary["stopped_early"] = True
            break
        number = int(name)
        o = protos_case(number, os.path.join(directory, name), args, dst, groups, probe_pdu)
        summary["cases"] += 1
        g = summary["groups"].setdefault(o["group"], {"cases": 0, "400": 0, "b2bua": 0, "none": 0})
        g["cases"] += 1
        finals = [s for s in o["udp"] if s is not None]
        if not o.get("udp_sent"):
            summary["udp_not_sent"] += 1
        elif o["bytes"] > UNFRAGMENTED_UDP:
            summary["udp_fragmented"] += 1
        if 400 in finals:
            summary["udp_400"] += 1
            g["400"] += 1
            if not o["warning"] or '"' not in o["warning"]:
                summary["warning_without_text"] += 1
        elif finals:
            summary["udp_b2bua"] += 1
            g["b2bua"] += 1
        else:
            summary["udp_none"] += 1
            g["none"] += 1
        for s in finals:
            summary["statuses"][str(s)] = summary["statuses"].get(str(s), 0) + 1
        if "tcp" in o:
            t = o["tcp"]
            summary["tcp_cases"] += 1
            if "error" in t:
                summary["tcp_errors"] += 1
            else:
                if 400 in t["statuses"]:
                    summary["tcp_400"] += 1
                elif t["statuses"]:
                    summary["tcp_b2bua"] += 1
                else:
                    summary["tcp_none"] += 1
                if t["probe"] == 200:
                    summary["tcp_probe_ok"] += 1
        if o.get("probe_retried"):
            summary["probe_retried"] += 1
        summary["probe_statuses"][str(o["probe"])] = summary["probe_statuses"].get(str(o["probe"]), 0) + 1
        if o["probe"] == args.probe_status:
            summary["probe_ok"] += 1
        else:
            summary["probe_failed"].append(number)
        if jsonl:
            jsonl.write(json.dumps(o) + "\n")
        if args.sbcd_pid and (index + 1) % rss_every == 0:
            summary["rss_kib"].append([index + 1, rss_kib(args.sbcd_pid)])
        if args.sbcd_pid and not os.path.exists(f"/proc/{args.sbcd_pid}"):
            summary["sbcd_died_after_case"] = number
            break
        if len(summary["probe_failed"]) >= args.max_failures:
            summary["stopped_early"] = True
            break
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["probe_failed"] = summary["probe_failed"][:50]
    if jsonl:
        jsonl.close()
    print(json.dumps(summary))
    return 0


# --- flood ---------------------------------------------------------------------------------------

def flood_messages(src, port, dst):
    """Malformed requests and responses, each a template filled with a serial number. The first
    five can be answered (Via, From, To, Call-ID and CSeq readable); the others cannot."""
    head = (f"Via: SIP/2.0/UDP {src}:{port};branch=z9hG4bK-flood-{{n}}\r\n"
            f"From: <sip:flood@{src}>;tag=f{{n}}\r\nTo: <sip:{dst[0]}>\r\n"
            f"Call-ID: flood-{{n}}@{src}\r\n")
    answerable = [
        "INVITE sip:x@{d} SIP/2.0\r\n" + head + "CSeq: 99999999999 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS sip:x@{d} SIP/2.0\r\n" + head + "CSeq: 1 OPTIONS\r\nMax-Forwards: seventy\r\nContent-Length: 0\r\n\r\n",
        "INVITE <sip:x@{d}> SIP/2.0\r\n" + head + "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS sip:x@{d} SIP/2.0\r\n" + head + "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        "INVITE sip:x@{d} SIP/2.0\r\n" + head + "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: -5\r\n\r\n",
    ]
    unanswerable = [
        "INVITE sip:x@{d} SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: nv-{n}\r\nCSeq: 1 INVITE\r\n\r\n",
        "SIP/2.0 4294967301 better not break the receiver\r\nVia: SIP/2.0/UDP 198.18.1.99;branch=z9hG4bK{n}\r\n"
        "Call-ID: r{n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        "\x00\x01\x02 garbage {n} \xff\xfe\r\n\r\n",
    ]
    return ([t.replace("{d}", dst[0]) for t in answerable], [t.replace("{d}", dst[0]) for t in unanswerable])


def cmd_flood(args):
    dst = parse_address(args.dst)
    sock = udp_socket(args.src)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    port = sock.getsockname()[1]
    answerable, unanswerable = flood_messages(args.src, port, dst)
    kinds = answerable + unanswerable
    sent = {"answerable": 0, "unanswerable": 0, "send_errors": 0}
    answers = {"400_with_warning": 0, "400_without_warning": 0, "other": 0}
    interval = 1.0 / args.rate
    started = time.monotonic()
    next_at = started

    def drain():
        while True:
            try:
                data = sock.recv(70000)
            except (BlockingIOError, ConnectionRefusedError, ConnectionResetError):
                return
            s = summarize(data)
            if s.get("status") == 400:
                answers["400_with_warning" if s["warning"] else "400_without_warning"] += 1
            else:
                answers["other"] += 1

    for n in range(args.count):
        if time.monotonic() - started > args.max_seconds:
            break
        kind = n % len(kinds)
        data = kinds[kind].replace("{n}", str(n)).encode("latin-1")
        for attempt in range(3):  # a full send buffer is waited out briefly, not counted as sent
            try:
                sock.sendto(data, dst)
                sent["answerable" if kind < len(answerable) else "unanswerable"] += 1
                break
            except BlockingIOError:
                select.select([], [sock], [], 0.05)
            except OSError:
                sent["send_errors"] += 1
                break
        else:
            sent["send_errors"] += 1
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if n % 64 == 0:
            drain()
    send_seconds = time.monotonic() - started
    end = time.monotonic() + args.linger
    while time.monotonic() < end:
        select.select([sock], [], [], 0.05)
        drain()
    sock.close()
    print(json.dumps({"sent": sent, "total_sent": sent["answerable"] + sent["unanswerable"],
                      "answers": answers, "send_seconds": round(send_seconds, 2),
                      "rate": round((sent["answerable"] + sent["unanswerable"]) / max(send_seconds, 1e-6))}))
    return 0


# --- uas -----------------------------------------------------------------------------------------

def response_to(request_fields, status, reason, to_tag=None):
    lines = [f"SIP/2.0 {status} {reason}"]
    for key, value in request_fields:
        if key == "via":
            lines.append(f"Via: {value}")
    to = field(request_fields, "to") or ""
    if to_tag and ";tag=" not in to:
        to += f";tag={to_tag}"
    lines += [f"From: {field(request_fields, 'from') or ''}", f"To: {to}",
              f"Call-ID: {field(request_fields, 'call-id') or ''}",
              f"CSeq: {field(request_fields, 'cseq') or ''}", "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def cmd_uas(args):
    bind = parse_address(args.bind)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(bind)
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    counts = {}
    end = time.monotonic() + args.duration
    while not stop[0] and time.monotonic() < end:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if not ready:
            continue
        try:
            data, source = sock.recvfrom(70000)
        except OSError:
            continue
        start, fields, _ = split_message(data)
        method = start.split(" ", 1)[0]
        counts[method] = counts.get(method, 0) + 1
        tag = token(8)
        if method == "OPTIONS":
            sock.sendto(response_to(fields, 200, "OK", tag), source)
        elif method == "INVITE":
            sock.sendto(response_to(fields, 100, "Trying"), source)
            sock.sendto(response_to(fields, args.status, "Busy Here" if args.status == 486 else "Rejected", tag), source)
        elif method == "CANCEL":
            sock.sendto(response_to(fields, 200, "OK", tag), source)
        elif method == "BYE":
            sock.sendto(response_to(fields, 200, "OK", tag), source)
        elif method != "ACK":
            sock.sendto(response_to(fields, 405, "Method Not Allowed", tag), source)
    sock.close()
    print(json.dumps({"received": counts}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("send")
    p.add_argument("files", nargs="+")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True, help="ADDR:PORT")
    p.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    p.add_argument("--fix-content-length", action="store_true")
    p.add_argument("--unique-branch", action="store_true", help="suffix every Via branch")
    p.add_argument("--as-invite", action="store_true",
                   help="turn an OPTIONS into an INVITE (start line and CSeq method)")
    p.add_argument("--probe", action="store_true", help="OPTIONS after the message; wait for its 200")
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--linger", type=float, default=0.2, help="seconds to keep listening at the end")
    p.set_defaults(run=cmd_send)

    p = sub.add_parser("options")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--timeout", type=float, default=2.0)
    p.set_defaults(run=cmd_options)

    p = sub.add_parser("protos")
    p.add_argument("dir", help="where cases.tar.xz was unpacked (holds cases/)")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--groups", help="GROUPS.tsv")
    p.add_argument("--jsonl", help="write each case's outcome here")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--sbcd-pid", type=int, default=0, help="sample its RSS; stop if it dies")
    p.add_argument("--probe-timeout", type=float, default=1.0)
    p.add_argument("--probe-status", type=int, default=486,
                   help="the final answer the valid case must get (the contact center's)")
    p.add_argument("--final-timeout", type=float, default=0.5)
    p.add_argument("--time-budget", type=float, default=240.0)
    p.add_argument("--max-failures", type=int, default=20)
    p.set_defaults(run=cmd_protos)

    p = sub.add_parser("flood")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--rate", type=float, default=5000)
    p.add_argument("--max-seconds", type=float, default=10.0)
    p.add_argument("--linger", type=float, default=1.0)
    p.set_defaults(run=cmd_flood)

    p = sub.add_parser("uas")
    p.add_argument("--bind", required=True)
    p.add_argument("--status", type=int, default=486)
    p.add_argument("--duration", type=float, default=300.0)
    p.set_defaults(run=cmd_uas)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
