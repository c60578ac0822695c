# shellcheck shell=bash
# The failover lab: lab.sh's network with a second contact-center host on the core side.
# Source after lab.sh, checks.sh and sip_lab.sh.
#
#   carrier 198.18.1.10 ── veth ── acc ┐ sbcd ┌ core ── veth ── cc0 ┐ bridge br0 (contact-center ns)
#                                      └──────┘                    │  primary host: 198.18.2.10 (VIP)
#                                                                   │  on br0, MAC $CC_MAC
#                                                     ccb ── veth ── bak0  backup host (its own ns):
#                                                                         198.18.2.11, MAC $BAK_MAC
#
# The VIP moves between the two hosts as it does between real servers: the address leaves one
# host, is added on the other, and the new holder announces it with a gratuitous ARP.
# Every process started here is recorded and stopped by its PID in failover_lab_down.

NS_BAK=$LAB_PREFIX-bak
BAK_IP=$BACKUP_IP
BAK_MAC=02:5b:c0:00:02:0b
CC_PORT_MAC=02:5b:c0:00:02:fe   # cc0, now a bridge port; the primary host's MAC is br0's
FO_PIDS=()                       # sipp and tcpdump processes, stopped by PID at the end
FO_DIR=                          # made by failover_lab_up

failover_lab_up() {
  # Captures (tens of MB) and call records go to memory (FO_TMPDIR, default /dev/shm), not to
  # the disk that LAB_DIR is on: sbcd writes each call record from its control loop, and the
  # test must not be the one filling the disk's writeback queue while it measures failover.
  FO_DIR=$(mktemp -d "${FO_TMPDIR:-/dev/shm}/$LAB_PREFIX.XXXX") || return 1
  lab_up || return 1
  ip netns add "$NS_BAK" || return 1
  ip -n "$NS_BAK" link set lo up
  # The primary host: cc0 becomes a port of br0, which takes over its address and MAC.
  ip -n "$NS_CC" addr flush dev cc0
  ip -n "$NS_CC" link set cc0 address "$CC_PORT_MAC"
  ip -n "$NS_CC" link add br0 address "$CC_MAC" type bridge forward_delay 0 stp_state 0
  ip -n "$NS_CC" link set cc0 master br0
  ip -n "$NS_CC" addr add "$CC_IP/24" dev br0
  # The backup host, on the same segment.
  ip -n "$NS_CC" link add ccb type veth peer name bak0 netns "$NS_BAK"
  ip -n "$NS_BAK" link set bak0 address "$BAK_MAC"
  ip -n "$NS_BAK" addr add "$BAK_IP/24" dev bak0
  ip -n "$NS_CC" link set ccb master br0
  # af_packet hands DPDK what the kernel put on the wire: no checksum left to an offload.
  local dev
  for dev in br0 ccb; do ip netns exec "$NS_CC" ethtool -K "$dev" tx off rx off >/dev/null 2>&1 || true; done
  ip netns exec "$NS_BAK" ethtool -K bak0 tx off rx off >/dev/null 2>&1 || true
  ip -n "$NS_CC" link set ccb up
  ip -n "$NS_CC" link set br0 up
  ip -n "$NS_BAK" link set bak0 up
  lab_log "backup host $NS_BAK ($BAK_IP, $BAK_MAC) on the contact-center bridge"
}

failover_lab_down() {
  local p
  for p in "${FO_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${FO_PIDS[@]}"; do
    for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  FO_PIDS=()
  ip netns del "$NS_BAK" 2>/dev/null || true
  lab_down
  [ -n "$FO_DIR" ] && rm -rf "$FO_DIR"
  FO_DIR=
}

# sip_lab.sh's configuration, with the call records in $FO_DIR.
fo_sip_config() { sip_config | sed "s|^sip records .*|sip records $FO_DIR/calls.jsonl|"; }

# Starts tcpdump (UDP and ARP, whole frames) in a namespace; sets FO_LAST_PID.
fo_capture() {  # ns iface file
  ip netns exec "$1" tcpdump -i "$2" -w "$3" -U -s 0 -B 8192 udp or arp >/dev/null 2>&1 &
  FO_LAST_PID=$!
  FO_PIDS+=("$FO_LAST_PID")
}

fo_capture_stop() {  # pid: lets tcpdump write what it still holds
  kill -INT "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

# A contact-center sipp (tests/integration/sipp/uas_failover.xml) bound to ip:5060 in a
# namespace, bounded by sipp's own -timeout; logs answered/ended calls to $LAB_DIR/<tag>.log.
# Sets FO_LAST_PID to sipp's own PID (ip netns exec execs it), so that a kill hits sipp itself.
fo_uas() {  # ns ip tag [seconds]
  local ns=$1 ip=$2 tag=$3
  (cd "$SIPP_DIR" && exec ip netns exec "$ns" sipp -sf uas_failover.xml -i "$ip" -p 5060 \
    -mi "$ip" -mp 16000 -nostdin -timeout "${4:-100}s" -trace_logs -log_file "$LAB_DIR/$tag.log" \
    -trace_err -error_file "$LAB_DIR/$tag-errors.log" >"$LAB_DIR/$tag.out" 2>&1) &
  FO_LAST_PID=$!
  FO_PIDS+=("$FO_LAST_PID")
}

# The carrier's call load (tests/integration/sipp/uac_failover.xml): `calls` calls at `rate`
# per second, each holding `hold_ms` with RTP; a message awaited over 10 s fails the call.
fo_uac() {  # tag rate calls hold_ms
  local tag=$1
  (cd "$SIPP_DIR" && exec ip netns exec "$NS_CAR" sipp -sf uac_failover.xml "$SBC_ACC_IP:5060" \
    -s 8005551234 -i "$CAR_IP" -p 5060 -mi "$CAR_IP" -mp 16000 -r "$2" -m "$3" -l 400 -d "$4" \
    -recv_timeout 10000 -nostdin -timeout 60s -trace_stat -stf "$LAB_DIR/$tag-stats.csv" -fd 1 \
    -trace_err -error_file "$LAB_DIR/$tag-errors.log" >"$LAB_DIR/$tag.out" 2>&1) &
  FO_LAST_PID=$!
  FO_PIDS+=("$FO_LAST_PID")
}

fo_stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }  # pid: a sipp we started

fo_log_count() {  # tag word: lines of a sipp's <log> file that start so
  local n; n=$(grep -c "^$2 " "$LAB_DIR/$1.log" 2>/dev/null); echo "${n:-0}"
}

now() { date +%s.%N; }

# The VIP moves between the hosts as a failover cluster moves it: the address leaves the old
# holder (fo_vip_leave), the new holder adds it (fo_vip_add), starts its server on it, and
# announces it with a gratuitous ARP (fo_garp).
fo_vip_leave() { ip -n "$1" addr del "$CC_IP/24" dev "$2"; }  # ns dev
fo_vip_add() { ip -n "$1" addr add "$CC_IP/24" dev "$2"; }    # ns dev
fo_garp() {  # ns dev mac
  ip netns exec "$1" python3 "$LAB_ROOT/tests/integration/lib/send_garp.py" "$2" "$CC_IP" "$3"; }

# The dataplane's neighbour entry for the VIP (its MAC, or "none").
fo_vip_neighbor() {
  sbcctl show neighbors json 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin)
print(next((n['mac'] for n in d['neighbors'] if n['address']=='$CC_IP' and n['resolved']), 'none'))"
}

# Polls until the dataplane's neighbour for the VIP is `mac`; prints the seconds it took.
fo_wait_vip_neighbor() {  # mac seconds
  local start=$SECONDS t0; t0=$(now)
  until [ "$(fo_vip_neighbor)" = "$1" ]; do
    ((SECONDS - start > ${2:-5})) && return 1
    sleep 0.05
  done
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$t0" "$(now)"
}

fo_vip_neighbor_becomes() { fo_wait_vip_neighbor "$@" >/dev/null; }  # mac seconds

# One value from `show sip json` (a Python expression over it, bound to d); asks again, a few
# times, when an answer does not come or does not parse.
fo_sip() {
  local answer
  for _ in 1 2 3 4 5; do
    answer=$(sbcctl show sip json 2>"$LAB_DIR/sbcctl.err" |
      python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null) && break
    sleep 0.2
  done
  [ -n "$answer" ] || { echo "show sip json: no answer ($(cat "$LAB_DIR/sbcctl.err"))" >&2; return 1; }
  echo "$answer"
}

# The UAC's final statistics (sipp -trace_stat CSV, last line): one column, or the named
# failure columns that are not zero.
fo_uac_stat() {  # tag column
  python3 - "$LAB_DIR/$1-stats.csv" "$2" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
head, last = rows[0], rows[-1]
if sys.argv[2] == 'failures':
    print(', '.join(f"{h[6:-3]} {last[i]}" for i, h in enumerate(head)
                    if h.startswith('Failed') and h.endswith('(C)') and h != 'FailedCall(C)'
                    and last[i] not in ('0', '')) or 'none')
else:
    print(last[head.index(sys.argv[2])])
PY
}

# Reads a core-side capture (Ethernet pcap) and prints one JSON line per UDP/IPv4 packet:
# t, smac, dmac, src, sport, dst, dport, and for SIP (port 5060) the first line, Call-ID and
# CSeq method; and one per ARP packet: t, arp (1 request, 2 reply), smac, sender (address).
fo_core_packets() {  # pcap
  python3 - "$1" <<'PY'
import json, struct, sys
def mac(b): return ':'.join(f'{x:02x}' for x in b)
with open(sys.argv[1], 'rb') as f:
    header = f.read(24)
    endian = '<' if struct.unpack('<I', header[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else '>'
    nano = struct.unpack(endian + 'I', header[:4])[0] == 0xA1B23C4D
    while True:
        rec = f.read(16)
        if len(rec) < 16: break
        sec, frac, caplen, _ = struct.unpack(endian + 'IIII', rec)
        d = f.read(caplen)
        t = sec + frac / (1e9 if nano else 1e6)
        if len(d) >= 42 and d[12:14] == b'\x08\x06':
            print(json.dumps({'t': t, 'arp': struct.unpack('!H', d[20:22])[0], 'smac': mac(d[22:28]),
                              'sender': '.'.join(map(str, d[28:32]))}))
            continue
        if len(d) < 42 or d[12:14] != b'\x08\x00' or d[23] != 17: continue
        ihl = (d[14] & 15) * 4
        u = 14 + ihl
        sport, dport, length = struct.unpack('!HHH', d[u:u + 6])
        p = {'t': t, 'dmac': mac(d[0:6]), 'smac': mac(d[6:12]),
             'src': '.'.join(map(str, d[26:30])), 'sport': sport,
             'dst': '.'.join(map(str, d[30:34])), 'dport': dport}
        if 5060 in (sport, dport):
            text = d[u + 8:u + length].decode('latin-1')
            lines = text.split('\r\n')
            p['first'] = lines[0]
            for line in lines[1:]:
                name, _, value = line.partition(':')
                name = name.strip().lower()
                if name in ('call-id', 'i'): p['callid'] = value.strip()
                elif name == 'cseq': p['method'] = value.split()[-1] if value.split() else ''
        else:
            p['len'] = length - 8
        print(json.dumps(p))
PY
}

# Figures of scenario A (the VIP moved by gratuitous ARP) from the captures on the core segment
# (cc0: every frame between the SBC and both hosts) and on the backup host (bak0); JSON.
# It also writes $FO_DIR/a-backup-callids.txt: leg-B Call-IDs answered by the backup host.
fo_figures_move() {  # core.jsonl backup.jsonl t_kill
  python3 - "$1" "$2" "$3" "$CC_IP" "$SBC_CORE_IP" "$CC_MAC" "$BAK_MAC" "$FO_DIR/a-backup-callids.txt" <<'PY'
import json, sys
core_file, backup_file, t_kill, vip, sbc, cc_mac, bak_mac, ids_file = sys.argv[1:]
t_kill = float(t_kill)
is_final = lambda p: p['first'][:8] == 'SIP/2.0 ' and p['first'][8:9] in ('2', '3', '4', '5', '6')
core = [json.loads(l) for l in open(core_file)]
arps = [p for p in core if 'arp' in p]
core = [p for p in core if 'arp' not in p]
at_backup = [json.loads(l) for l in open(backup_file)]
at_backup = [p for p in at_backup if 'arp' not in p]
# The gratuitous ARP, as it crossed the segment.
garp = next((p['t'] for p in arps if p['t'] >= t_kill and p['sender'] == vip and p['smac'] == bak_mac), None)
t_garp = garp if garp is not None else float('inf')
rtp_to_vip = [p for p in core if 5060 not in (p['sport'], p['dport']) and p['src'] == sbc and p['dst'] == vip]
# Calls with media up at the primary when it died: the SBC's core ports that were relaying
# the carrier's RTP to it in the last 200 ms (the carrier sends every 20-30 ms)...
up_before = {p['sport'] for p in rtp_to_vip if p['dmac'] == cc_mac and t_kill - 0.2 <= p['t'] < t_kill}
# ... and those of them still relaying it after the GARP (the others ended as planned).
still_up = {p['sport'] for p in rtp_to_vip if p['sport'] in up_before and p['t'] > t_garp + 0.1}
followed = {}
for p in at_backup:
    if 5060 not in (p['sport'], p['dport']) and p['src'] == sbc and p['dst'] == vip \
            and p['sport'] in up_before and p['t'] > t_garp:
        followed[p['sport']] = followed.get(p['sport'], 0) + 1
# RTP still sent to the old MAC 100 ms after the GARP was on the segment is media lost.
to_old_mac = [p for p in rtp_to_vip if p['dmac'] == cc_mac and p['t'] > t_garp + 0.1]
# Leg-B INVITEs by Call-ID: where each went, and the first final answer.
invites, finals = {}, {}
for p in core:
    if 'callid' not in p: continue
    if p['first'].startswith('INVITE ') and p['src'] == sbc:
        invites.setdefault(p['callid'], []).append(p)
    elif p['dst'] == sbc and p.get('method') == 'INVITE' and is_final(p):
        finals.setdefault(p['callid'], []).append(p)
answered = lambda c: next((r for r in finals.get(c, []) if r['first'][8:9] == '2'), None)
by_backup = lambda c: answered(c) is not None and answered(c)['smac'] == bak_mac
new_calls = [c for c, sent in invites.items() if sent[0]['t'] > t_garp + 0.5]
window = [c for c, sent in invites.items() if t_kill <= sent[0]['t'] <= t_garp + 0.5]
# Failed over: re-sent to another address. Answered 2xx by the address it was taken from and
# not hung up there by the SBC: a call the server set up that nobody carries (a ghost).
failed_over = [c for c, sent in invites.items() if len({s['dst'] for s in sent}) > 1]
byes = {}
for p in core:
    if 'callid' in p and p['first'].startswith('BYE ') and p['src'] == sbc:
        byes.setdefault((p['callid'], p['dst']), []).append(p['t'])
late_answers = [(c, r) for c in failed_over for r in finals.get(c, [])
                if r['first'][8:9] == '2' and r['src'] != invites[c][-1]['dst']]
ghosts = [c for c, r in late_answers if not any(t >= r['t'] for t in byes.get((c, r['src']), []))]
# Calls ringing at the primary when it died (its 180 in, no final from it): the SBC must cancel
# each there and offer it again, or the caller rings until it gives up (the carrier's sipp
# cancels after 10 s: only CANCELs within 2 s of the GARP count).
from_primary = [p for p in core if 'callid' in p and p['dst'] == sbc and p['smac'] == cc_mac
                and p.get('method') == 'INVITE' and p['t'] < t_kill]
rang = {p['callid'] for p in from_primary if p['first'].startswith('SIP/2.0 180')}
ringing_at_kill = rang - {p['callid'] for p in from_primary if is_final(p)}
cancelled_after = {p['callid'] for p in core if 'callid' in p and p['src'] == sbc
                   and p['first'].startswith('CANCEL ') and t_kill <= p['t'] <= t_garp + 2.0}
open(ids_file, 'w').write(''.join(c + '\n' for c in invites if by_backup(c)))
print(json.dumps({
    'garp_after_kill_s': round(t_garp - t_kill, 3) if garp else None,
    'up_before': len(up_before), 'still_up': len(still_up),
    'followed': len(still_up & set(followed)), 'not_followed': len(still_up - set(followed)),
    'followed_packets': sum(followed.values()),
    'to_old_mac_after_garp': len(to_old_mac),
    'invites': len(invites), 'new_calls': len(new_calls),
    'new_at_backup': sum(1 for c in new_calls if by_backup(c)),
    'window': len(window), 'window_at_backup': sum(1 for c in window if by_backup(c)),
    'failed_over': len(failed_over), 'late_answers': len(late_answers), 'ghosts': len(ghosts),
    'ringing_at_kill': len(ringing_at_kill), 'ringing_reoffered': len(ringing_at_kill & cancelled_after),
}))
PY
}

# Figures of scenario B (the server at the VIP killed, the VIP left in place); JSON.
fo_figures_kill() {  # core.jsonl backup.jsonl t_kill
  python3 - "$1" "$2" "$3" "$CC_IP" "$BAK_IP" "$SBC_CORE_IP" <<'PY'
import json, sys
core_file, backup_file, t_kill, vip, bak, sbc = sys.argv[1:]
t_kill = float(t_kill)
is_final = lambda p: p['first'][:8] == 'SIP/2.0 ' and p['first'][8:9] in ('2', '3', '4', '5', '6')
sip = lambda f: [p for p in map(json.loads, open(f)) if 'callid' in p]
core, at_backup = sip(core_file), sip(backup_file)
# The first INVITE that reached the backup host after the kill.
first = next((p['t'] for p in at_backup
              if p['first'].startswith('INVITE ') and p['dst'] == bak and p['t'] >= t_kill), None)
# INVITEs to the VIP that the dead server left unanswered, and what became of them.
to_vip, to_bak, final_from = {}, {}, {}
for p in core:
    if p['first'].startswith('INVITE ') and p['src'] == sbc:
        (to_vip if p['dst'] == vip else to_bak).setdefault(p['callid'], p['t'])
    elif p['dst'] == sbc and p.get('method') == 'INVITE' and is_final(p):
        final_from.setdefault(p['callid'], set()).add(p['src'])
# (From 0.5 s before the kill: an older INVITE to the VIP without an answer from it is a
# retransmission of one that an earlier failover abandoned, not one this kill left waiting.)
pending = [c for c, t in to_vip.items() if t >= t_kill - 0.5 and vip not in final_from.get(c, set())]
resent = [c for c in pending if c in to_bak and bak in final_from.get(c, set())]
delays = sorted(to_bak[c] - max(to_vip[c], t_kill) for c in resent)
# The longest time sbcd sent no SIP at all around the kill: it probes every 500 ms, so more
# than that means its control loop was held up (a loaded machine), which delays detection.
sent = [p['t'] for p in core if p['src'] == sbc and t_kill - 1.0 <= p['t'] <= t_kill + 1.5]
silence = max((b - a for a, b in zip(sent, sent[1:])), default=None)
print(json.dumps({
    'sip_silence_max_s': round(silence, 3) if silence is not None else None,
    'first_invite_at_backup_s': round(first - t_kill, 3) if first else None,
    'invites_to_vip_after_kill': sum(1 for t in to_vip.values() if t >= t_kill),
    'invites_to_vip_after_1s': sum(1 for t in to_vip.values() if t > t_kill + 1.0),
    'pending': len(pending), 'resent_answered': len(resent),
    'resend_delay_max_s': round(delays[-1], 3) if delays else None,
    'invites_to_backup': len(to_bak),
}))
PY
}

# Calls confirmed at the first `show calls json` snapshot that were not due to end before the
# second (younger than their hold minus 2 s): prints "<kept> of <such calls>", kept meaning
# still up at the second snapshot with the same media session.
fo_calls_kept() {  # before.json after.json hold_ms
  python3 - "$@" <<'PY'
import json, sys
before = [c for c in json.load(open(sys.argv[1]))['calls'] if c['state'] == 'confirmed']
after = {c['id']: c for c in json.load(open(sys.argv[2]))['calls']}
young = [c for c in before if c['age_ms'] < int(sys.argv[3]) - 2000]
kept = [c for c in young if c['id'] in after and after[c['id']]['media_session'] == c['media_session']]
print(f"{len(kept)} of {len(young)}")
PY
}

# Of the call records whose leg B Call-ID is listed in a file: prints "<with RTP counted in
# from both legs> of <records>".
fo_records_with_media() {  # callids.txt
  python3 - "$1" "$FO_DIR/calls.jsonl" <<'PY'
import json, sys
ids = set(open(sys.argv[1]).read().split())
records = [r for r in map(json.loads, open(sys.argv[2])) if r.get('call_id_b') in ids]
both = [r for r in records if (r['leg_a']['packets_in'] or 0) > 0 and (r['leg_b']['packets_in'] or 0) > 0]
print(f"{len(both)} of {len(records)}")
PY
}
