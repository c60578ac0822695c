#!/usr/bin/env bash
# The demo (README): a call from a carrier trunk, through sbcd, to the contact center behind
# its VIP, with media. Three hosts in network namespaces (tests/integration/lib/lab.sh): the
# carrier (sipp, uac_pcap) calls the SBC's access address 198.18.1.1; sbcd re-originates the
# call from its core address 198.18.2.1 to the contact center's SIP server at the VIP
# 198.18.2.10 (sipp, tests/integration/sipp/uas_pcap.xml), anchors the media in its DPDK
# dataplane, and each side plays G.711 A-law from pcap to the other. Prints the call while it
# is up, what arrived at each end, and the call record.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "demo: run as root (it builds network namespaces)" >&2; exit 1; fi
./tools/install-deps.sh
./tools/build.sh >/dev/null

source tests/integration/lib/lab.sh
source tests/integration/lib/checks.sh
source tests/integration/lib/sip_lab.sh
trap lab_down EXIT
[ -f "$G711_PCAP" ] || { echo "demo: needs the shared test data (sipp's g711a.pcap) at $SIP_TESTDATA; set SBC_TESTDATA" >&2; exit 1; }
lab_up
sip_config >"$LAB_DIR/sbc.conf"
lab_start_sbcd "$LAB_DIR/sbc.conf"
SIPP_DIR=$(sipp_dir)
capture_start "$NS_CAR" car0 "$LAB_DIR/car.pcap"
capture_start "$NS_CC" cc0 "$LAB_DIR/cc.pcap"
cd "$SIPP_DIR"

echo
echo "== the contact center's SIP server answers at the VIP $VIP_IP"
timeout 60 ip netns exec "$NS_CC" sipp -sf uas_pcap.xml -i "$VIP_IP" -p 5060 -mi "$VIP_IP" -mp 16000 \
  -nostdin >"$LAB_DIR/uas.out" 2>&1 &
uas=$!
wait_contact_center_up vip 10 || { echo "demo: the VIP never answered the SBC's OPTIONS" >&2; exit 1; }
sbcctl show sip | tail -3

echo
echo "== the carrier $CAR_IP calls 8005551234 at the SBC $SBC_ACC_IP (G.711 A-law for 8 s, then DTMF '1')"
timeout 60 ip netns exec "$NS_CAR" sipp -sn uac_pcap "$SBC_ACC_IP:5060" -s 8005551234 -i "$CAR_IP" -p 5060 \
  -mi "$CAR_IP" -mp 16000 -m 1 -l 1 -nostdin >"$LAB_DIR/uac.out" 2>&1 &
uac=$!
sleep 3
echo
echo "== sbcctl show calls"
sbcctl show calls
echo
echo "== sbcctl show sessions (the call's media, anchored in the dataplane)"
sbcctl show sessions
status=0
wait $uac || status=1
sleep 2.5
kill -INT $uas 2>/dev/null || true
wait $uas 2>/dev/null || true
capture_stop

echo
rtp_payloads "$G711_PCAP" >"$LAB_DIR/played.txt"
rtp_payloads "$LAB_DIR/cc.pcap" "$SBC_CORE_IP" "$VIP_IP" >"$LAB_DIR/at-cc.txt"
rtp_payloads "$LAB_DIR/car.pcap" "$SBC_ACC_IP" "$CAR_IP" >"$LAB_DIR/at-car.txt"
echo "== media: each side played $(wc -l <"$LAB_DIR/played.txt") RTP packets"
echo "   the contact center received $(wc -l <"$LAB_DIR/at-cc.txt") from $SBC_CORE_IP (voice + DTMF events)"
echo "   the carrier received $(wc -l <"$LAB_DIR/at-car.txt") from $SBC_ACC_IP"
cmp -s "$LAB_DIR/played.txt" "$LAB_DIR/at-car.txt" || status=1
echo
echo "== the call record ($LAB_DIR/calls.jsonl)"
cat "$LAB_DIR/calls.jsonl" 2>/dev/null || status=1
echo
echo "== sbcctl show sip"
sbcctl show sip
[ $status = 0 ] && echo "demo: the call completed, media intact both ways" || echo "demo: FAILED"
exit $status
