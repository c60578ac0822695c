#!/usr/bin/env bash
# Failover of the contact center behind its VIP, under a call load with RTP
# (tests/integration/lib/failover_lab.sh: a primary host holding the VIP 198.18.2.10 and a
# backup host 198.18.2.11 on one segment behind the SBC's core port).
#
# A. The VIP moves to the backup host in the middle of a call load: the primary's sipp is
#    killed, the address leaves the primary, the backup adds it, starts a sipp on it and
#    announces it with a gratuitous ARP. New calls must complete at the backup host, the
#    dataplane's neighbour for the VIP must be the backup's MAC, and the media of calls that
#    were up must follow the VIP to the backup (the SBC keeps relaying the carrier's RTP, to
#    the new MAC; no session is deleted).
# B. The primary's server stops answering while the VIP stays on it: the first INVITE must
#    reach the backup address within 1 s of the kill, INVITEs left unanswered by the dead server
#    must be re-sent to the backup, and calls must keep completing.
#
# The carrier's sipp places calls at a steady rate (FO_RATE, default 20 per second), each
# holding a few seconds while both ends play G.711 from pcap. Figures are printed at the end.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/lab.sh"
source "$HERE/lib/checks.sh"
source "$HERE/lib/sip_lab.sh"
source "$HERE/lib/failover_lab.sh"
skip_unless_root
skip_unless_sipp
trap failover_lab_down EXIT
[ -n "${KEEP_LAB_LOG:-}" ] && trap "rm -rf /tmp/lablog; cp -r \$LAB_DIR /tmp/lablog; failover_lab_down" EXIT

RATE=${FO_RATE:-20}
MOVE_GAP_S=${FO_MOVE_GAP_S:-0}
A_CALLS=$((RATE * 12)) A_HOLD_MS=4000 A_MOVE_AFTER=6   # the VIP moves 6 s into a 12 s load
B_CALLS=$((RATE * 10)) B_HOLD_MS=3000 B_KILL_AFTER=4   # the server dies 4 s into a 10 s load
SUMMARY=()
summary() { SUMMARY+=("$*"); echo "  > $*"; }
seconds_between() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# Waits (bounded) for the carrier's sipp to end; sets UAC_RC to its exit status.
wait_uac() {  # pid seconds
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -0 "$1" 2>/dev/null && kill -TERM "$1"
  wait "$1"; UAC_RC=$?
}

# Kills a sipp at once (the server dies); quiet about it.
kill_now() { kill -KILL "$1"; wait "$1" 2>/dev/null; }

# Waits (bounded) until sbcd holds no call.
wait_no_calls() {  # seconds
  local deadline=$((SECONDS + $1))
  until [ "$(fo_sip "d['up']")" = 0 ]; do ((SECONDS > deadline)) && return 1; sleep 0.2; done
}

# Waits (bounded) until a sipp listens on ip:5060 in a namespace.
wait_listening() {  # ns ip
  for _ in $(seq 50); do
    ip netns exec "$1" ss -Hlun "src $2:5060" 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}

# Waits (bounded) until the health check has answered probes of `role` after now.
wait_probe_answered() {  # role seconds
  local before deadline=$((SECONDS + $2))
  before=$(fo_sip "d['contact_center']['$1']['answered']")
  until [ "$(fo_sip "d['contact_center']['$1']['answered'] > ${before:-0} and d['contact_center']['$1']['up']")" = True ]; do
    ((SECONDS > deadline)) && return 1
    sleep 0.1
  done
}

failover_lab_up || exit 1
sip_config >"$LAB_DIR/sbc.conf"
lab_start_sbcd "$LAB_DIR/sbc.conf" || exit 1
SIPP_DIR=$(sipp_dir)

fo_uas "$NS_BAK" "$BAK_IP" backup 150
BACKUP_PID=$FO_LAST_PID
fo_uas "$NS_CC" "$CC_IP" primary-a 60
PRIMARY_PID=$FO_LAST_PID
check "the health checks find the VIP up" wait_contact_center_up vip 10
check "the health checks find the backup up" wait_contact_center_up backup 10

# ---------------------------------------------------------------------------------------------
echo "# A: the VIP moves to the backup host (gratuitous ARP) in the middle of a call load"
fo_capture "$NS_CC" cc0 "$LAB_DIR/a-core.pcap"; CAP_CORE=$FO_LAST_PID
fo_capture "$NS_BAK" bak0 "$LAB_DIR/a-backup.pcap"; CAP_BAK=$FO_LAST_PID
sleep 1
FAILOVERS_0=$(fo_sip "d['failovers']")
SWITCHES_0=$(fo_sip "d['contact_center']['switches']")
fo_uac uac-a "$RATE" "$A_CALLS" "$A_HOLD_MS"
UAC_PID=$FO_LAST_PID
sleep "$A_MOVE_AFTER"

check "the dataplane's neighbour for the VIP is the primary's MAC before the move" \
  fo_wait_vip_neighbor "$CC_MAC" 5 >/dev/null
sbcctl show calls json >"$LAB_DIR/a-calls-before.json"
sbcctl show sessions json >"$LAB_DIR/a-sessions-before.json"
T_KILL=$(now)
kill_now "$PRIMARY_PID"
fo_vip_leave "$NS_CC" br0
sleep "$MOVE_GAP_S"  # how long the cluster takes to bring the address up on the other host
ip -n "$NS_BAK" addr add "$CC_IP/24" dev bak0
fo_uas "$NS_BAK" "$CC_IP" backup-vip 100
BACKUP_VIP_PID=$FO_LAST_PID
wait_listening "$NS_BAK" "$CC_IP" || echo "the backup's sipp is not listening on the VIP yet"
T_GARP=$(now)
fo_garp "$NS_BAK" bak0 "$BAK_MAC"
NEIGHBOR_S=$(fo_wait_vip_neighbor "$BAK_MAC" 5)
check "the dataplane's neighbour for the VIP moved to the backup's MAC $BAK_MAC (${NEIGHBOR_S:-not} s after the GARP)" \
  test -n "$NEIGHBOR_S"
sbcctl show sessions json >"$LAB_DIR/a-sessions-after.json"
sbcctl show calls json >"$LAB_DIR/a-calls-after.json"
summary "A: primary killed at +${A_MOVE_AFTER}s of the load; VIP announced by the backup $(seconds_between "$T_KILL" "$T_GARP") s later; dataplane neighbour moved ${NEIGHBOR_S:-never} s after the GARP"

wait_uac "$UAC_PID" 45
sleep 1
fo_capture_stop "$CAP_CORE"; fo_capture_stop "$CAP_BAK"
check "the carrier's sipp ended (exit $UAC_RC)" test "$UAC_RC" -le 1
wait_no_calls 15 || echo "calls still up: $(fo_sip "d['up']")"

A_PLACED=$(fo_uac_stat uac-a TotalCallCreated)
A_OK=$(fo_uac_stat uac-a SuccessfulCall\(C\))
A_FAILED=$(fo_uac_stat uac-a FailedCall\(C\))
A_WHY=$(fo_uac_stat uac-a failures)
A_FAILOVERS=$(($(fo_sip "d['failovers']") - FAILOVERS_0))
A_SWITCHES=$(($(fo_sip "d['contact_center']['switches']") - SWITCHES_0))
A_AT_PRIMARY=$(fo_log_count primary-a answered)
A_AT_BACKUP_VIP=$(fo_log_count backup-vip answered)
A_AT_BACKUP=$(fo_log_count backup answered)
A_STRAY_BYES=$(fo_log_count backup-vip stray-bye)

fo_core_packets "$LAB_DIR/a-core.pcap" >"$LAB_DIR/a-core.jsonl"
fo_core_packets "$LAB_DIR/a-backup.pcap" >"$LAB_DIR/a-backup.jsonl"
python3 - "$LAB_DIR" "$T_KILL" "$T_GARP" "$CC_IP" "$BAK_IP" "$SBC_CORE_IP" "$CC_MAC" "$BAK_MAC" \
  >"$LAB_DIR/a-figures.json" <<'PY'
import json, sys
lab, t_kill, t_garp, vip, bak, sbc, cc_mac, bak_mac = sys.argv[1:]
t_kill, t_garp = float(t_kill), float(t_garp)
core = [json.loads(l) for l in open(f'{lab}/a-core.jsonl')]
at_backup = [json.loads(l) for l in open(f'{lab}/a-backup.jsonl')]
rtp = lambda p: 5060 not in (p['sport'], p['dport'])
# The calls whose media was up at the primary when it died: the SBC's core ports that sent
# it the carrier's RTP in the last 200 ms before the kill (the carrier sends every 20-30 ms).
up_before = {p['sport'] for p in core if rtp(p) and p['src'] == sbc and p['dst'] == vip
             and p['dmac'] == cc_mac and t_kill - 0.2 <= p['t'] < t_kill}
# Those of them still relaying the carrier's RTP after the GARP (the others ended normally).
still_up = {p['sport'] for p in core if rtp(p) and p['src'] == sbc and p['dst'] == vip
            and p['sport'] in up_before and p['t'] > t_garp + 0.1}
# After the GARP (and 100 ms for the dataplane to take it), RTP to the VIP still going to the
# old MAC is lost media.
to_old_mac = [p for p in core if rtp(p) and p['dst'] == vip and p['src'] == sbc
              and p['dmac'] == cc_mac and p['t'] > t_garp + 0.1]
followed = {}
for p in at_backup:
    if rtp(p) and p['src'] == sbc and p['dst'] == vip and p['sport'] in up_before and p['t'] > t_garp:
        followed[p['sport']] = followed.get(p['sport'], 0) + 1
# INVITEs the SBC sent on leg B, by Call-ID: where each went and who answered it.
invites, answers = {}, {}
for p in core:
    if 'first' not in p or 'callid' not in p: continue
    if p['first'].startswith('INVITE ') and p['src'] == sbc:
        invites.setdefault(p['callid'], []).append(p)
    elif p['first'].startswith('SIP/2.0 200') and p.get('method') == 'INVITE' and p['dst'] == sbc:
        answers.setdefault(p['callid'], p)
new_calls = [c for c, sent in invites.items() if sent[0]['t'] > t_garp + 0.5]
new_at_backup = [c for c in new_calls if c in answers and answers[c]['smac'] == bak_mac]
window = [c for c, sent in invites.items() if t_kill <= sent[0]['t'] <= t_garp + 0.5]
window_ok = [c for c in window if c in answers and answers[c]['smac'] == bak_mac]
ghost = [c for c, sent in invites.items() if len({s['dst'] for s in sent}) > 1]
print(json.dumps({
    'up_before': len(up_before), 'still_up': len(still_up), 'followed': len(followed),
    'not_followed': len(still_up - set(followed)),
    'followed_packets': sum(followed.values()), 'to_old_mac_after_garp': len(to_old_mac),
    'invites': len(invites), 'new_calls': len(new_calls), 'new_at_backup': len(new_at_backup),
    'window': len(window), 'window_at_backup': len(window_ok), 'resent_elsewhere': len(ghost),
    'invites_to_backup_ip': sum(1 for c, s in invites.items() if any(x['dst'] == bak for x in s)),
}))
PY
cat "$LAB_DIR/a-figures.json"
fig() { json "$LAB_DIR/$1-figures.json" "d['$2']"; }
check "calls had media up at the primary when it died ($(fig a up_before))" test "$(fig a up_before)" -gt 0
check "the carrier's media of every one of them still up after the GARP ($(fig a followed) of $(fig a still_up)) reached the backup host ($(fig a followed_packets) RTP packets from $SBC_CORE_IP to the VIP)" \
  test "$(fig a followed)" -gt 0 -a "$(fig a not_followed)" = 0
check "no RTP went to the old MAC 100 ms after the GARP ($(fig a to_old_mac_after_garp) packets did)" \
  test "$(fig a to_old_mac_after_garp)" = 0
check "every call set up after the move ($(fig a new_at_backup) of $(fig a new_calls)) was answered by the backup host" \
  test "$(fig a new_calls)" -gt 0 -a "$(fig a new_at_backup)" = "$(fig a new_calls)"
check "every INVITE sent between the kill and the move ($(fig a window_at_backup) of $(fig a window)) was answered by the backup host" \
  test "$(fig a window_at_backup)" = "$(fig a window)"
check "calls were placed after the move and answered at the backup's sipps (VIP $A_AT_BACKUP_VIP, own address $A_AT_BACKUP)" \
  test "$((A_AT_BACKUP_VIP + A_AT_BACKUP))" -gt 0
check "the carrier's sipp placed all $A_CALLS calls ($A_PLACED)" test "$A_PLACED" = "$A_CALLS"
check "no call failed at the carrier ($A_FAILED: ${A_WHY})" test "$A_FAILED" = 0
summary "A: carrier placed $A_PLACED calls at $RATE/s, $A_OK completed, $A_FAILED failed (${A_WHY}); answered by the primary $A_AT_PRIMARY, by the backup at the VIP $A_AT_BACKUP_VIP, at $BAK_IP $A_AT_BACKUP"
summary "A: $(fig a up_before) calls had media up at the kill, $(fig a still_up) of them still up after the GARP; the media of $(fig a followed) followed to the backup ($(fig a followed_packets) packets); $(fig a to_old_mac_after_garp) RTP packets to the old MAC after the GARP; calls set up after the move: $(fig a new_at_backup)/$(fig a new_calls) answered by the backup; health-check switches $A_SWITCHES, INVITEs failed over $A_FAILOVERS; BYEs of the primary's calls answered 481 by the backup: $A_STRAY_BYES"

# Media sessions: none of the calls up at the move lost its session at the move.
LOST=$(python3 - "$LAB_DIR/a-calls-before.json" "$LAB_DIR/a-calls-after.json" "$A_HOLD_MS" <<'PY'
import json, sys
before = {c['id']: c for c in json.load(open(sys.argv[1]))['calls'] if c['state'] == 'confirmed'}
after = {c['id']: c for c in json.load(open(sys.argv[2]))['calls']}
# A call younger than its hold minus 2 s at the first snapshot must still be up at the second.
young = [i for i, c in before.items() if c['age_ms'] < int(sys.argv[3]) - 2000]
print(len(young), sum(1 for i in young if i not in after or after[i]['media_session'] != before[i]['media_session']))
PY
)
check "calls up at the move kept their call and media session across it (young calls, lost: ${LOST:-?})" \
  test "${LOST#* }" = 0
END_CAUSES=$(python3 -c "
import json,sys,collections
print(dict(collections.Counter(json.loads(l)['end_cause'] for l in open(sys.argv[1]))))" "$LAB_DIR/calls.jsonl" 2>/dev/null)
summary "A: call records by end cause: $END_CAUSES"

# ---------------------------------------------------------------------------------------------
echo "# the VIP moves back to the primary"
kill -TERM "$BACKUP_VIP_PID" 2>/dev/null
fo_vip_leave "$NS_BAK" bak0
ip -n "$NS_CC" addr add "$CC_IP/24" dev br0
fo_uas "$NS_CC" "$CC_IP" primary-b 60
PRIMARY_PID=$FO_LAST_PID
wait_listening "$NS_CC" "$CC_IP"
fo_garp "$NS_CC" br0 "$CC_MAC"
check "the dataplane's neighbour for the VIP is the primary's MAC again" fo_wait_vip_neighbor "$CC_MAC" 5
check "the health checks find the VIP up again" wait_probe_answered vip 10
wait_no_calls 20 || echo "calls still up: $(fo_sip "d['up']")"

# ---------------------------------------------------------------------------------------------
echo "# B: the server at the VIP stops answering (the VIP stays on the primary)"
fo_capture "$NS_CC" cc0 "$LAB_DIR/b-core.pcap"; CAP_CORE=$FO_LAST_PID
fo_capture "$NS_BAK" bak0 "$LAB_DIR/b-backup.pcap"; CAP_BAK=$FO_LAST_PID
sleep 1
FAILOVERS_0=$(fo_sip "d['failovers']")
SWITCHES_0=$(fo_sip "d['contact_center']['switches']")
BACKUP_ANSWERED_0=$(fo_log_count backup answered)
fo_uac uac-b "$RATE" "$B_CALLS" "$B_HOLD_MS"
UAC_PID=$FO_LAST_PID
sleep "$B_KILL_AFTER"
T_KILL=$(now)
kill_now "$PRIMARY_PID"
wait_uac "$UAC_PID" 45
sleep 1
fo_capture_stop "$CAP_CORE"; fo_capture_stop "$CAP_BAK"
check "the carrier's sipp ended (exit $UAC_RC)" test "$UAC_RC" -le 1
B_PLACED=$(fo_uac_stat uac-b TotalCallCreated)
B_OK=$(fo_uac_stat uac-b SuccessfulCall\(C\))
B_FAILED=$(fo_uac_stat uac-b FailedCall\(C\))
B_WHY=$(fo_uac_stat uac-b failures)
B_FAILOVERS=$(($(fo_sip "d['failovers']") - FAILOVERS_0))
B_SWITCHES=$(($(fo_sip "d['contact_center']['switches']") - SWITCHES_0))
B_AT_PRIMARY=$(fo_log_count primary-b answered)
B_AT_BACKUP=$(($(fo_log_count backup answered) - BACKUP_ANSWERED_0))

fo_core_packets "$LAB_DIR/b-core.pcap" >"$LAB_DIR/b-core.jsonl"
fo_core_packets "$LAB_DIR/b-backup.pcap" >"$LAB_DIR/b-backup.jsonl"
python3 - "$LAB_DIR" "$T_KILL" "$CC_IP" "$BAK_IP" "$SBC_CORE_IP" >"$LAB_DIR/b-figures.json" <<'PY'
import json, sys
lab, t_kill, vip, bak, sbc = sys.argv[1:]
t_kill = float(t_kill)
core = [json.loads(l) for l in open(f'{lab}/b-core.jsonl')]
at_backup = [json.loads(l) for l in open(f'{lab}/b-backup.jsonl')]
sip = lambda ps: [p for p in ps if 'first' in p and 'callid' in p]
# The first INVITE that reached the backup host after the kill.
firsts = [p['t'] for p in sip(at_backup) if p['first'].startswith('INVITE ') and p['dst'] == bak
          and p['t'] >= t_kill]
first_s = firsts[0] - t_kill if firsts else None
# INVITEs to the VIP that the dead server never answered, and what became of them.
to_vip, answered_by_vip, to_bak, answered_by_bak = {}, set(), {}, set()
for p in sip(core):
    if p['first'].startswith('INVITE ') and p['src'] == sbc:
        (to_vip if p['dst'] == vip else to_bak).setdefault(p['callid'], p['t'])
    elif p['first'].startswith('SIP/2.0 ') and p.get('method') == 'INVITE' and p['dst'] == sbc \
            and not p['first'].startswith('SIP/2.0 1'):
        (answered_by_vip if p['src'] == vip else answered_by_bak).add(p['callid'])
pending = [c for c, t in to_vip.items() if c not in answered_by_vip]
resent = [c for c in pending if c in to_bak and c in answered_by_bak]
delays = sorted(to_bak[c] - max(to_vip[c], t_kill) for c in resent)
late = [c for c, t in to_vip.items() if t > t_kill + 1.0]
print(json.dumps({
    'first_invite_at_backup_s': first_s, 'pending': len(pending), 'resent_answered': len(resent),
    'resend_delay_max_s': delays[-1] if delays else None,
    'invites_to_vip_after_kill': sum(1 for t in to_vip.values() if t >= t_kill),
    'invites_to_vip_later_than_1s': len(late),
    'invites_to_backup': len(to_bak),
}))
PY
cat "$LAB_DIR/b-figures.json"
FIRST=$(fig b first_invite_at_backup_s)
check "the first INVITE reached the backup $BAK_IP within 1 s of the kill (${FIRST} s)" \
  python3 -c "import sys; sys.exit(not ('$FIRST' != 'None' and float('$FIRST') < 1.0))"
check "no new INVITE went to the dead VIP later than 1 s after the kill ($(fig b invites_to_vip_later_than_1s))" \
  test "$(fig b invites_to_vip_later_than_1s)" = 0
check "INVITEs left unanswered by the dead server ($(fig b pending)) were all re-sent to the backup and answered there ($(fig b resent_answered))" \
  test "$(fig b pending)" -gt 0 -a "$(fig b resent_answered)" = "$(fig b pending)"
check "show sip json counts the failovers ($B_FAILOVERS)" test "$B_FAILOVERS" -gt 0
check "the carrier's sipp placed all $B_CALLS calls ($B_PLACED)" test "$B_PLACED" = "$B_CALLS"
check "no call failed at the carrier ($B_FAILED: ${B_WHY})" test "$B_FAILED" = 0
check "calls kept completing at the backup ($B_AT_BACKUP answered at $BAK_IP)" test "$B_AT_BACKUP" -gt 0
summary "B: first INVITE at the backup ${FIRST} s after the kill; $(fig b invites_to_vip_after_kill) INVITEs went to the dead VIP after the kill, $(fig b pending) left unanswered, $(fig b resent_answered) re-sent to the backup and answered (worst $(fig b resend_delay_max_s) s after the kill or their first send); failovers $B_FAILOVERS, switches $B_SWITCHES"
summary "B: carrier placed $B_PLACED calls at $RATE/s, $B_OK completed, $B_FAILED failed (${B_WHY}); answered by the primary $B_AT_PRIMARY, by the backup $B_AT_BACKUP"

sbcctl show sip
echo "# summary"
printf '%s\n' "${SUMMARY[@]}"
echo "$failures failure(s)"
[ "$failures" = 0 ]
