#!/usr/bin/env bash
# A call from the carrier, through sbcd, to the contact center at its VIP: sipp at both ends
# (uac_pcap on the carrier host, tests/integration/sipp/uas_pcap.xml at the VIP), G.711 A-law
# played from pcap both ways. Checks that the call completes at both ends, that every RTP
# packet each side played arrives at the other side unchanged and from the SBC's address, that
# no byte sent to the carrier names the core, and that the call record is right.
# SIP_CALL_TRANSPORT=tcp: both legs signal over TCP: the carrier to the SBC, and the SBC to the
# contact center (`transport tcp` in its block; sipp at the VIP on TCP), health checks included.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/lab.sh"
source "$HERE/lib/checks.sh"
source "$HERE/lib/sip_lab.sh"
skip_unless_root
skip_unless_sipp
trap lab_down EXIT
[ -n "${KEEP_LAB_LOG:-}" ] && trap "cp -r \$LAB_DIR /tmp/lablog; lab_down" EXIT

TRANSPORT=${SIP_CALL_TRANSPORT:-udp}
TRANSPORT_ARGS=()
[ "$TRANSPORT" = tcp ] && TRANSPORT_ARGS=(-t t1)
export SIP_CC_TRANSPORT=$TRANSPORT

lab_up
sip_config >"$LAB_DIR/sbc.conf"
lab_start_sbcd "$LAB_DIR/sbc.conf" || exit 1
SIPP_DIR=$(sipp_dir)
capture_start "$NS_CAR" car0 "$LAB_DIR/car.pcap"
capture_start "$NS_CC" cc0 "$LAB_DIR/cc.pcap"

cd "$SIPP_DIR" || exit 1
# The contact center runs until the carrier's call is over (its health-check answers count as
# sipp calls, so -m cannot stop it).
timeout 60 ip netns exec "$NS_CC" sipp -sf uas_pcap.xml -i "$VIP_IP" -p 5060 "${TRANSPORT_ARGS[@]}" \
  -mi "$VIP_IP" -mp 16000 -nostdin -trace_err -error_file "$LAB_DIR/uas-errors.log" \
  -trace_stat -stf "$LAB_DIR/uas-stats.csv" >"$LAB_DIR/uas.out" 2>&1 &
UAS_PID=$!
check "the SBC's OPTIONS find the contact center up at the VIP" wait_contact_center_up vip 10

timeout 60 ip netns exec "$NS_CAR" sipp -sn uac_pcap "$SBC_ACC_IP:5060" -s 8005551234 "${TRANSPORT_ARGS[@]}" \
  -i "$CAR_IP" -p 5060 -mi "$CAR_IP" -mp 16000 -m 1 -l 1 -nostdin -trace_err \
  -error_file "$LAB_DIR/uac-errors.log" >"$LAB_DIR/uac.out" 2>&1 &
UAC_PID=$!
sleep 3
sbcctl show calls json >"$LAB_DIR/calls.json"
sbcctl show calls
check "show calls: one inbound call, confirmed, ANI and DNIS" \
  test "$(json "$LAB_DIR/calls.json" "[(c['state'], c['type'], c['call_type'], c['dnis']) for c in d['calls']]")" = \
  "[('confirmed', 'inbound', 2, '8005551234')]"
check "the call has a media session in the dataplane" \
  test "$(sbcctl show sessions json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')" = 1

wait "$UAC_PID"; UAC_RC=$?
sleep 2.5  # the UAS's timewait after the BYE
kill -INT "$UAS_PID" 2>/dev/null; wait "$UAS_PID"
capture_stop
check "the carrier's sipp completed its call (exit $UAC_RC)" test "$UAC_RC" = 0
[ "$UAC_RC" = 0 ] || cat "$LAB_DIR/uac.out" "$LAB_DIR/uac-errors.log" 2>/dev/null | tail -40
# sipp's statistics: the INVITE call is the one that is not a health check.
UAS_FAILED=$(tail -1 "$LAB_DIR/uas-stats.csv" 2>/dev/null | python3 -c "
import csv,sys
rows=list(csv.reader(open(sys.argv[1]), delimiter=';'))
head,last=rows[0],rows[-1]
print(last[head.index('FailedCall(C)')])" "$LAB_DIR/uas-stats.csv" 2>/dev/null)
check "the contact center's sipp failed no call (${UAS_FAILED:-no statistics})" test "${UAS_FAILED:-x}" = 0

# Media: what each side played is what the other side received, packet for packet, and it
# came from the SBC's own address on that side.
# The carrier's uac_pcap plays g711a.pcap and then RFC 2833 DTMF '1'; the contact center plays
# g711a.pcap.
rtp_payloads "$G711_PCAP" >"$LAB_DIR/played.txt"
{ cat "$LAB_DIR/played.txt"; rtp_payloads "$SIP_TESTDATA/sipp/pcap/dtmf_2833_1.pcap"; } >"$LAB_DIR/played-by-carrier.txt"
rtp_payloads "$LAB_DIR/cc.pcap" "$SBC_CORE_IP" "$VIP_IP" >"$LAB_DIR/at-cc.txt"
rtp_payloads "$LAB_DIR/car.pcap" "$SBC_ACC_IP" "$CAR_IP" >"$LAB_DIR/at-car.txt"
PLAYED=$(wc -l <"$LAB_DIR/played.txt")
check "the pcap holds RTP to play ($PLAYED packets)" test "$PLAYED" -gt 100
check "the contact center got every carrier RTP packet (voice and DTMF events) unchanged, from $SBC_CORE_IP" \
  cmp -s "$LAB_DIR/played-by-carrier.txt" "$LAB_DIR/at-cc.txt"
check "the carrier got every contact-center RTP packet unchanged, from $SBC_ACC_IP" \
  cmp -s "$LAB_DIR/played.txt" "$LAB_DIR/at-car.txt"
echo "played $PLAYED, at the contact center $(wc -l <"$LAB_DIR/at-cc.txt"), at the carrier $(wc -l <"$LAB_DIR/at-car.txt")"

# Topology hiding: nothing the SBC sent to the carrier names a core address.
python3 "$LAB_ROOT/tests/integration/lib/pcap_udp.py" "$LAB_DIR/car.pcap" --tcp --src "$SBC_ACC_IP" >"$LAB_DIR/to-carrier.jsonl"
check "the SBC sent SIP to the carrier over $TRANSPORT" \
  grep -q "\"proto\": \"$TRANSPORT\", \"src\": \"$SBC_ACC_IP\", \"sport\": 5060" "$LAB_DIR/to-carrier.jsonl"
LEAKS=$(python3 -c "
import json,sys
core=[b'198.18.2.', b'2001:db8:2:']
n=0
for line in open(sys.argv[1]):
    p=bytes.fromhex(json.loads(line)['payload'])
    n+=any(c in p for c in core)
print(n)" "$LAB_DIR/to-carrier.jsonl")
check "no packet sent to the carrier names a core address ($LEAKS did)" test "$LEAKS" = 0

# Toward the contact center: the INVITE and the health checks went over the configured
# transport (over TCP from a connection the SBC opened to the VIP's 5060), none the other way.
python3 "$LAB_ROOT/tests/integration/lib/pcap_udp.py" "$LAB_DIR/cc.pcap" --tcp --src "$SBC_CORE_IP" --dst "$VIP_IP" >"$LAB_DIR/to-cc.jsonl"
sip_to_cc() {  # proto method: how many SIP requests of that method went to the VIP's 5060 so
  python3 -c "
import json,sys
n=0
for line in open(sys.argv[1]):
    d=json.loads(line)
    p=bytes.fromhex(d['payload'])
    n+=d['proto']==sys.argv[2] and d['dport']==5060 and p.startswith((sys.argv[3]+' ').encode())
print(n)" "$LAB_DIR/to-cc.jsonl" "$1" "$2"
}
OTHER=udp; [ "$TRANSPORT" = udp ] && OTHER=tcp
check "the INVITE reached the contact center over $TRANSPORT" test "$(sip_to_cc "$TRANSPORT" INVITE)" -ge 1
check "the health checks reached it over $TRANSPORT" test "$(sip_to_cc "$TRANSPORT" OPTIONS)" -ge 1
check "no INVITE or OPTIONS went to it over $OTHER" \
  test "$(($(sip_to_cc "$OTHER" INVITE) + $(sip_to_cc "$OTHER" OPTIONS)))" = 0
if [ "$TRANSPORT" = tcp ]; then
  check "the INVITE names the transport (Via SIP/2.0/TCP, Contact ;transport=tcp)" python3 -c "
import json,sys
for line in open(sys.argv[1]):
    p=bytes.fromhex(json.loads(line)['payload'])
    if p.startswith(b'INVITE '):
        sys.exit(0 if b'Via: SIP/2.0/TCP $SBC_CORE_IP:5060;' in p and b';transport=tcp>' in p else 1)
sys.exit(1)" "$LAB_DIR/to-cc.jsonl"
fi

# The call record.
check "one call record was written" test "$(wc -l <"$LAB_DIR/calls.jsonl" 2>/dev/null)" = 1
head -1 "$LAB_DIR/calls.jsonl"
RECORD=$(head -1 "$LAB_DIR/calls.jsonl" 2>/dev/null)
check "the record: inbound (CallType 2) on carrier1, ANI sipp, DNIS 8005551234, caller hung up" \
  test "$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print((d['type'], d['call_type'], d['trunk'], d['ani'], d['dnis'], d['end_cause'], d['answer'] is not None))" "$RECORD")" = \
  "('inbound', 2, 'carrier1', 'sipp', '8005551234', 'hangup-caller', True)"
check "the record counts the RTP each way" \
  test "$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(d['leg_a']['packets_in'] >= $PLAYED and d['leg_b']['packets_in'] >= $PLAYED)" "$RECORD")" = True
# Nothing was lost on the way (the carrier's DTMF file restarts the sequence numbers under a new
# SSRC: a restart, not 14,151 lost packets), so the loss each way is the number 0, not null.
check "the record counts no RTP lost either way" \
  test "$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print([d[l]['lost_in'] for l in ('leg_a', 'leg_b')])" "$RECORD")" = "[0, 0]"
sbcctl show sip
sbcctl show drops

echo "$failures failure(s)"
[ "$failures" = 0 ]
