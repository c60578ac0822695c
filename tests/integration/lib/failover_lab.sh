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

failover_lab_up() {
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
}

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
    -trace_logs -log_file "$LAB_DIR/$tag.log" -trace_err -error_file "$LAB_DIR/$tag-errors.log" \
    >"$LAB_DIR/$tag.out" 2>&1) &
  FO_LAST_PID=$!
  FO_PIDS+=("$FO_LAST_PID")
}

fo_log_count() {  # tag word: lines of a sipp's <log> file that start so
  local n; n=$(grep -c "^$2 " "$LAB_DIR/$1.log" 2>/dev/null); echo "${n:-0}"
}

now() { date +%s.%N; }

# Moves the VIP from one host to the other as a failover cluster does: the address leaves the
# old holder, the new holder adds it and announces it with a gratuitous ARP.
fo_vip_leave() { ip -n "$1" addr del "$CC_IP/24" dev "$2"; }                    # ns dev
fo_vip_take() { ip -n "$1" addr add "$CC_IP/24" dev "$2" && fo_garp "$1" "$2" "$3"; }  # ns dev mac
fo_garp() { ip netns exec "$1" python3 "$LAB_ROOT/tests/integration/lib/send_garp.py" "$2" "$CC_IP" "$3"; }

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

# One number from `show sip json`.
fo_sip() { sbcctl show sip json 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

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

# Reads the core-side capture (Ethernet pcap) and prints one JSON line per UDP/IPv4 packet:
# t, smac, dmac, src, sport, dst, dport, and for SIP (port 5060) the first line, Call-ID and
# CSeq method.
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
        if len(d) < 42 or d[12:14] != b'\x08\x00' or d[23] != 17: continue
        ihl = (d[14] & 15) * 4
        u = 14 + ihl
        sport, dport, length = struct.unpack('!HHH', d[u:u + 6])
        p = {'t': sec + frac / (1e9 if nano else 1e6), 'dmac': mac(d[0:6]), 'smac': mac(d[6:12]),
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
