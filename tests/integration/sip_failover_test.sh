#!/usr/bin/env bash
# Failover of the contact center behind its VIP, in the middle of a call load with RTP
# (tests/integration/lib/failover_lab.sh: a primary host holding the VIP 198.18.2.10 and a
# backup host 198.18.2.11 on one segment behind the SBC's core port; sipp at every host).
#
# A. The VIP moves to the backup host: the primary's sipp is killed, the address leaves the
#    primary, the backup adds it, starts a sipp on it and announces it with a gratuitous ARP.
#    Checks: the dataplane's neighbour for the VIP becomes the backup's MAC; calls set up after
#    the move (and INVITEs caught in it) are answered by the backup; the media of calls that
#    were up follows the VIP to the backup (the SBC keeps relaying the carrier's RTP, now to the
#    new MAC; no call or media session is dropped); calls ringing at the primary when it died
#    (each host rings 300 ms) are cancelled there and offered to the new holder of the VIP;
#    no call fails at the carrier.
# B. The server at the VIP stops answering while the address stays on the primary (sipp
#    killed). Checks: the first INVITE reaches the backup address within 1 s of the kill;
#    INVITEs the dead server left unanswered are re-sent to the backup (within 1 s) and answered
#    there; show sip json counts the failovers; calls keep completing; none fails at the carrier.
#
# The carrier's sipp places calls at a steady rate (FO_RATE, default 20 per second), each
# holding a few seconds while both ends play G.711 from pcap. FO_MOVE_GAP_S (default 0) is how
# long the VIP is on neither host in A: from about 0.5 s the health check marks the VIP down
# and the SBC fails INVITEs over to 198.18.2.11 while the VIP is moving, which also exercises
# the switch back. Figures are printed at the end; KEEP_LAB_LOG=1 keeps the captures and logs
# in /tmp/lablog.
#
# B runs a second time, judged instead of the first, only when the 1 s bound was missed while
# sbcd sent no SIP at all for over 0.6 s around the kill: its control loop was held up by the
# machine, which says nothing of its failover.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/lab.sh"
source "$HERE/lib/checks.sh"
source "$HERE/lib/sip_lab.sh"
source "$HERE/lib/failover_lab.sh"
trap failover_lab_down EXIT  # before the skips: lab.sh has made LAB_DIR already
[ -n "${KEEP_LAB_LOG:-}" ] && trap "rm -rf /tmp/lablog; cp -r \$LAB_DIR /tmp/lablog; cp -r \$FO_DIR /tmp/lablog/shm; failover_lab_down" EXIT
skip_unless_root
skip_unless_sipp

RATE=${FO_RATE:-20}
MOVE_GAP_S=${FO_MOVE_GAP_S:-0}
A_CALLS=$((RATE * 12)) A_HOLD_MS=4000 A_MOVE_AFTER=6   # the VIP moves 6 s into a 12 s load
B_CALLS=$((RATE * 10)) B_HOLD_MS=3000 B_KILL_AFTER=4   # the server dies 4 s into a 10 s load
SUMMARY=()
summary() { SUMMARY+=("$*"); echo "  > $*"; }
fig() { json "$LAB_DIR/$1-figures.json" "d['$2']"; }

# Waits (bounded) for the carrier's sipp to end; sets UAC_RC to its exit status (0: every
# call completed, 1: some failed; anything else: it did not end by itself).
wait_uac() {  # pid seconds
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -0 "$1" 2>/dev/null && kill -TERM "$1"
  wait "$1"; UAC_RC=$?
}

# Kills a sipp at once (the server dies), quietly.
kill_now() { kill -KILL "$1"; wait "$1" 2>/dev/null; }

# Waits (bounded) until sbcd holds no call.
wait_no_calls() {  # seconds
  local deadline=$((SECONDS + $1))
  until [ "$(fo_sip "d['up']")" = 0 ]; do ((SECONDS > deadline)) && return 1; sleep 0.2; done
}

# Waits (bounded) until a sipp listens on ip:5060 in a namespace.
wait_listening() {  # ns ip
  for _ in $(seq 100); do
    ip netns exec "$1" ss -Hlun "src $2:5060" 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}

# Waits (bounded) until a probe of `role` sent from now on is answered and it is up.
wait_probe_answered() {  # role seconds
  local before deadline=$((SECONDS + $2))
  before=$(fo_sip "d['contact_center']['$1']['answered']")
  until [ "$(fo_sip "d['contact_center']['$1']['answered'] > ${before:-0} and d['contact_center']['$1']['up']")" = True ]; do
    ((SECONDS > deadline)) && return 1
    sleep 0.1
  done
}

failover_lab_up || exit 1
fo_sip_config >"$LAB_DIR/sbc.conf"
lab_start_sbcd "$LAB_DIR/sbc.conf" || exit 1
SIPP_DIR=$(sipp_dir)

fo_uas "$NS_BAK" "$BAK_IP" backup 150
fo_uas "$NS_CC" "$CC_IP" primary-a 60
PRIMARY_PID=$FO_LAST_PID
check "the health checks find the VIP up" wait_contact_center_up vip 10
check "the health checks find the backup up" wait_contact_center_up backup 10

# ---------------------------------------------------------------------------------------------
echo "# A: the VIP moves to the backup host (gratuitous ARP) in the middle of a call load"
fo_capture "$NS_CC" cc0 "$FO_DIR/a-core.pcap"; CAP_CORE=$FO_LAST_PID
fo_capture "$NS_BAK" bak0 "$FO_DIR/a-backup.pcap"; CAP_BAK=$FO_LAST_PID
sleep 1
FAILOVERS_0=$(fo_sip "d['failovers']")
SWITCHES_0=$(fo_sip "d['contact_center']['switches']")
MOVES_0=$(fo_sip "d['contact_center']['moves']")
fo_uac uac-a "$RATE" "$A_CALLS" "$A_HOLD_MS"
UAC_PID=$FO_LAST_PID
sleep "$A_MOVE_AFTER"

check "the dataplane's neighbour for the VIP is the primary's MAC before the move" \
  fo_vip_neighbor_becomes "$CC_MAC" 5
sbcctl show calls json >"$LAB_DIR/a-calls-before.json"
T_KILL=$(now)
kill_now "$PRIMARY_PID"
fo_vip_leave "$NS_CC" br0
sleep "$MOVE_GAP_S"
fo_vip_add "$NS_BAK" bak0
fo_uas "$NS_BAK" "$CC_IP" backup-vip 100
BACKUP_VIP_PID=$FO_LAST_PID
wait_listening "$NS_BAK" "$CC_IP" || echo "the backup's sipp is not listening on the VIP yet"
fo_garp "$NS_BAK" bak0 "$BAK_MAC"
NEIGHBOR_S=$(fo_wait_vip_neighbor "$BAK_MAC" 5)
check "the dataplane's neighbour for the VIP moved to the backup's MAC $BAK_MAC (seen ${NEIGHBOR_S:-never} s after sending the GARP)" \
  test -n "$NEIGHBOR_S"
sbcctl show calls json >"$LAB_DIR/a-calls-after.json"

wait_uac "$UAC_PID" 45
sleep 1
fo_capture_stop "$CAP_CORE"; fo_capture_stop "$CAP_BAK"
check "the carrier's sipp ended by itself (exit $UAC_RC)" test "$UAC_RC" -le 1
wait_no_calls 15 || echo "calls still up: $(fo_sip "d['up']")"

A_PLACED=$(fo_uac_stat uac-a TotalCallCreated)
A_OK=$(fo_uac_stat uac-a 'SuccessfulCall(C)')
A_FAILED=$(fo_uac_stat uac-a 'FailedCall(C)')
A_WHY=$(fo_uac_stat uac-a failures)
A_FAILOVERS=$(($(fo_sip "d['failovers']") - FAILOVERS_0))
A_SWITCHES=$(($(fo_sip "d['contact_center']['switches']") - SWITCHES_0))
A_AT_PRIMARY=$(fo_log_count primary-a answered)
A_AT_BACKUP_VIP=$(fo_log_count backup-vip answered)
A_AT_BACKUP=$(fo_log_count backup answered)
A_STRAY_BYES=$(fo_log_count backup-vip stray-bye)
fo_core_packets "$FO_DIR/a-core.pcap" >"$FO_DIR/a-core.jsonl"
fo_core_packets "$FO_DIR/a-backup.pcap" >"$FO_DIR/a-backup.jsonl"
fo_figures_move "$FO_DIR/a-core.jsonl" "$FO_DIR/a-backup.jsonl" "$T_KILL" >"$LAB_DIR/a-figures.json"
cat "$LAB_DIR/a-figures.json"

check "the gratuitous ARP crossed the core segment ($(fig a garp_after_kill_s) s after the kill)" \
  test "$(fig a garp_after_kill_s)" != None
check "calls had media up at the primary when it died ($(fig a up_before))" test "$(fig a up_before)" -gt 0
check "the carrier's media of each of them still up after the GARP ($(fig a followed) of $(fig a still_up)) reached the backup host ($(fig a followed_packets) RTP packets from $SBC_CORE_IP to the VIP)" \
  test "$(fig a followed)" -gt 0 -a "$(fig a not_followed)" = 0
check "no RTP went to the primary's MAC later than 100 ms after the GARP ($(fig a to_old_mac_after_garp) packets did)" \
  test "$(fig a to_old_mac_after_garp)" = 0
KEPT=$(fo_calls_kept "$LAB_DIR/a-calls-before.json" "$LAB_DIR/a-calls-after.json" "$A_HOLD_MS")
check "calls up at the move, and not due to end in it, kept their call and media session ($KEPT)" \
  test "${KEPT%% *}" -gt 0 -a "${KEPT%% *}" = "${KEPT##* }"
check "every call set up after the move was answered by the backup host ($(fig a new_at_backup) of $(fig a new_calls))" \
  test "$(fig a new_calls)" -gt 0 -a "$(fig a new_at_backup)" = "$(fig a new_calls)"
check "every INVITE sent while the VIP moved was answered by the backup host ($(fig a window_at_backup) of $(fig a window))" \
  test "$(fig a window_at_backup)" = "$(fig a window)"
# An INVITE abandoned by a failover is CANCELled when the old address sends a provisional
# response; a 2xx from it (it answered at once, or before the CANCEL) is ACKed and hung up
# there, so no server holds a call nobody carries. Seen when a health probe failed during the
# move (the INVITE was failed over to 198.18.2.11 and its retransmission then reached the
# VIP's new holder).
check "every late answer to an INVITE the SBC failed over was hung up ($(fig a late_answers) late answers of $(fig a failed_over) failed over, $(fig a ghosts) left up)" \
  test "$(fig a ghosts)" = 0
# Calls ringing at the primary when it died (the hosts ring 300 ms) get no more retransmissions
# of their INVITE: the SBC sees the VIP's MAC change, cancels each and offers it again.
check "every call ringing at the primary when it died was cancelled there within 2 s of the GARP, and offered again ($(fig a ringing_reoffered) of $(fig a ringing_at_kill))" \
  test "$(fig a ringing_at_kill)" -gt 0 -a "$(fig a ringing_reoffered)" = "$(fig a ringing_at_kill)"
check "show sip json counts the VIP's move ($(($(fo_sip "d['contact_center']['moves']") - MOVES_0)))" \
  test "$(($(fo_sip "d['contact_center']['moves']") - MOVES_0))" -ge 1
MEDIA_AT_BACKUP=$(fo_records_with_media "$FO_DIR/a-backup-callids.txt")
check "the calls answered by the backup had media both ways (records: $MEDIA_AT_BACKUP)" \
  test "${MEDIA_AT_BACKUP%% *}" -gt 0 -a "${MEDIA_AT_BACKUP%% *}" = "${MEDIA_AT_BACKUP##* }"
check "the carrier's sipp placed all $A_CALLS calls ($A_PLACED)" test "$A_PLACED" = "$A_CALLS"
check "no call failed at the carrier ($A_FAILED: $A_WHY)" test "$A_FAILED" = 0
summary "A: primary killed ${A_MOVE_AFTER} s into the load; VIP announced by the backup $(fig a garp_after_kill_s) s later; dataplane neighbour seen moved ${NEIGHBOR_S:-never} s after sending the GARP (polled)"
summary "A: carrier placed $A_PLACED calls at $RATE/s: $A_OK completed, $A_FAILED failed ($A_WHY); answered by the primary $A_AT_PRIMARY, by the backup at the VIP $A_AT_BACKUP_VIP, at $BAK_IP $A_AT_BACKUP"
summary "A: $(fig a up_before) calls had media up at the kill, $(fig a still_up) still up after the GARP, the carrier's media of $(fig a followed) reached the backup ($(fig a followed_packets) packets); RTP to the old MAC after the GARP: $(fig a to_old_mac_after_garp) packets"
summary "A: INVITEs: set up after the move $(fig a new_at_backup)/$(fig a new_calls) answered by the backup, caught in the move $(fig a window_at_backup)/$(fig a window); failed over $A_FAILOVERS (ghost answers $(fig a ghosts)); health-check switches $A_SWITCHES; BYEs of the primary's calls answered 481 by the backup: $A_STRAY_BYES; records with media both ways among the backup's calls: $MEDIA_AT_BACKUP"

# ---------------------------------------------------------------------------------------------
echo "# the VIP moves back to the primary"
fo_stop "$BACKUP_VIP_PID"
fo_vip_leave "$NS_BAK" bak0
fo_vip_add "$NS_CC" br0
fo_uas "$NS_CC" "$CC_IP" primary-b 60
PRIMARY_PID=$FO_LAST_PID
wait_listening "$NS_CC" "$CC_IP"
fo_garp "$NS_CC" br0 "$CC_MAC"
check "the dataplane's neighbour for the VIP is the primary's MAC again" fo_vip_neighbor_becomes "$CC_MAC" 5
check "the health checks find the VIP up again" wait_probe_answered vip 10
wait_no_calls 20 || echo "calls still up: $(fo_sip "d['up']")"

# ---------------------------------------------------------------------------------------------
# One run of B: the load, the kill, the figures (b-figures.json and the B_* variables).
run_b() {  # tag of the primary's sipp, tag for the carrier's
  local primary=$1 uac=$2
  fo_capture "$NS_CC" cc0 "$FO_DIR/b-core.pcap"; CAP_CORE=$FO_LAST_PID
  fo_capture "$NS_BAK" bak0 "$FO_DIR/b-backup.pcap"; CAP_BAK=$FO_LAST_PID
  sleep 1
  local failovers0 switches0 backup0
  failovers0=$(fo_sip "d['failovers']")
  switches0=$(fo_sip "d['contact_center']['switches']")
  backup0=$(fo_log_count backup answered)
  fo_uac "$uac" "$RATE" "$B_CALLS" "$B_HOLD_MS"
  UAC_PID=$FO_LAST_PID
  sleep "$B_KILL_AFTER"
  T_KILL=$(now)
  kill_now "$PRIMARY_PID"
  wait_uac "$UAC_PID" 45
  sleep 1
  fo_capture_stop "$CAP_CORE"; fo_capture_stop "$CAP_BAK"
  B_PLACED=$(fo_uac_stat "$uac" TotalCallCreated)
  B_OK=$(fo_uac_stat "$uac" 'SuccessfulCall(C)')
  B_FAILED=$(fo_uac_stat "$uac" 'FailedCall(C)')
  B_WHY=$(fo_uac_stat "$uac" failures)
  B_FAILOVERS=$(($(fo_sip "d['failovers']") - failovers0))
  B_SWITCHES=$(($(fo_sip "d['contact_center']['switches']") - switches0))
  B_AT_PRIMARY=$(fo_log_count "$primary" answered)
  B_AT_BACKUP=$(($(fo_log_count backup answered) - backup0))
  fo_core_packets "$FO_DIR/b-core.pcap" >"$FO_DIR/b-core.jsonl"
  fo_core_packets "$FO_DIR/b-backup.pcap" >"$FO_DIR/b-backup.jsonl"
  fo_figures_kill "$FO_DIR/b-core.jsonl" "$FO_DIR/b-backup.jsonl" "$T_KILL" >"$LAB_DIR/b-figures.json"
  cat "$LAB_DIR/b-figures.json"
}

echo "# B: the server at the VIP stops answering (the VIP stays on the primary)"
run_b primary-b uac-b
# The 1 s bounds hold for sbcd, not for a machine that held its control loop up: when sbcd sent
# no SIP for over 0.6 s around the kill (it probes every 500 ms) and a bound was missed, B runs
# once more, and the first run's figures are kept in b1-figures.json.
B_TIMES_MISSED="(d['first_invite_at_backup_s'] is None or d['first_invite_at_backup_s'] >= 1.0 or
  d['invites_to_vip_after_1s'] > 0 or d['resend_delay_max_s'] is None or d['resend_delay_max_s'] >= 1.0)"
if [ "$(json "$LAB_DIR/b-figures.json" "(d['sip_silence_max_s'] or 0) > 0.6 and $B_TIMES_MISSED")" = True ]; then
  cp "$LAB_DIR/b-figures.json" "$LAB_DIR/b1-figures.json"
  summary "B (first run, not judged): sbcd sent no SIP for $(fig b sip_silence_max_s) s around the kill; first INVITE at the backup $(fig b first_invite_at_backup_s) s after it; running B again"
  fo_uas "$NS_CC" "$CC_IP" primary-b2 60
  PRIMARY_PID=$FO_LAST_PID
  wait_listening "$NS_CC" "$CC_IP"
  check "the health checks find the VIP up again before B's second run" wait_probe_answered vip 10
  wait_no_calls 20 || echo "calls still up: $(fo_sip "d['up']")"
  run_b primary-b2 uac-b2
fi
check "the carrier's sipp ended by itself (exit $UAC_RC)" test "$UAC_RC" -le 1

FIRST=$(fig b first_invite_at_backup_s)
check "the first INVITE reached the backup $BAK_IP within 1 s of the kill (${FIRST} s)" \
  python3 -c "import sys; sys.exit(not ('$FIRST' != 'None' and float('$FIRST') < 1.0))"
check "no INVITE went to the dead VIP later than 1 s after the kill ($(fig b invites_to_vip_after_1s) did)" \
  test "$(fig b invites_to_vip_after_1s)" = 0
check "every INVITE the dead server left unanswered was re-sent to the backup and answered there ($(fig b resent_answered) of $(fig b pending))" \
  test "$(fig b pending)" -gt 0 -a "$(fig b resent_answered)" = "$(fig b pending)"
check "each was re-sent within 1 s of the kill or of its first send (worst $(fig b resend_delay_max_s) s)" \
  python3 -c "import sys; sys.exit(not ('$(fig b resend_delay_max_s)' != 'None' and float('$(fig b resend_delay_max_s)') < 1.0))"
check "show sip json counts the failovers ($B_FAILOVERS)" test "$B_FAILOVERS" -gt 0
check "calls kept completing at the backup ($B_AT_BACKUP answered at $BAK_IP)" test "$B_AT_BACKUP" -gt 0
check "the carrier's sipp placed all $B_CALLS calls ($B_PLACED)" test "$B_PLACED" = "$B_CALLS"
check "no call failed at the carrier ($B_FAILED: $B_WHY)" test "$B_FAILED" = 0
summary "B: first INVITE at the backup ${FIRST} s after the kill; $(fig b invites_to_vip_after_kill) INVITEs went to the dead VIP after the kill, $(fig b pending) left unanswered, $(fig b resent_answered) re-sent to the backup and answered (worst $(fig b resend_delay_max_s) s after the kill or their first send); failovers $B_FAILOVERS, health-check switches $B_SWITCHES; longest SIP silence of sbcd around the kill $(fig b sip_silence_max_s) s"
summary "B: carrier placed $B_PLACED calls at $RATE/s: $B_OK completed, $B_FAILED failed ($B_WHY); answered by the primary $B_AT_PRIMARY, by the backup $B_AT_BACKUP"

sbcctl show sip
echo "# summary"
printf '%s\n' "${SUMMARY[@]}"
echo "$failures failure(s)"
[ "$failures" = 0 ]
