# shellcheck shell=bash
# The SIP side of the lab: sbcd's SIP configuration for the lab network, sipp at both ends
# with G.711 played from pcap, and packet captures to check what crossed the SBC.

SIP_TESTDATA=${SBC_TESTDATA:-$LAB_ROOT/../shared/testdata}
G711_PCAP=$SIP_TESTDATA/sipp/pcap/g711a.pcap
VIP_IP=$CC_IP
BACKUP_IP=198.18.2.11

skip_unless_sipp() {
  command -v sipp >/dev/null || { echo "SKIP: sipp (Debian package sip-tester) is not installed"; exit 77; }
  command -v tcpdump >/dev/null || { echo "SKIP: tcpdump is not installed"; exit 77; }
  [ -f "$G711_PCAP" ] || { echo "SKIP: test data not found at $SIP_TESTDATA (set SBC_TESTDATA)"; exit 77; }
}

# SIP_CC_TRANSPORT=tcp: the SBC reaches the contact center over TCP (a core TCP listener and
# `transport tcp` in the contact-center block); udp (the default) leaves both out.
sip_config() {  # prints the lab's sbcd configuration with the SIP side
  local cc_transport=${SIP_CC_TRANSPORT:-udp}
  lab_config
  sed '/^$/d' <<CONF
sip listen access0 udp $SBC_ACC_IP
sip listen access0 tcp $SBC_ACC_IP
sip listen core0 udp $SBC_CORE_IP
$([ "$cc_transport" = udp ] || echo "sip listen core0 $cc_transport $SBC_CORE_IP")
sip media-timeout ${SIP_MEDIA_TIMEOUT:-30}
sip records $LAB_DIR/calls.jsonl
trunk carrier1
 interface access0
 match 198.18.1.0/24
 destination $CAR_IP:5060
 dial-prefix 00
exit
contact-center
 interface core0
 vip $VIP_IP:5060
 backup $BACKUP_IP:5060
$([ "$cc_transport" = udp ] || echo " transport $cc_transport")
exit
CONF
}

# sipp runs in a directory where the scenarios' "pcap/g711a.pcap" resolves to the test data.
sipp_dir() {
  mkdir -p "$LAB_DIR/sipp"
  [ -e "$LAB_DIR/sipp/pcap" ] || ln -s "$SIP_TESTDATA/sipp/pcap" "$LAB_DIR/sipp/pcap"
  cp "$LAB_ROOT/tests/integration/sipp/"*.xml "$LAB_DIR/sipp/"
  echo "$LAB_DIR/sipp"
}

CAPTURE_PIDS=()
capture_start() {  # ns iface file
  ip netns exec "$1" tcpdump -i "$2" -w "$3" -U -s 0 udp or tcp >/dev/null 2>&1 &
  CAPTURE_PIDS+=($!)
}
capture_stop() {
  sleep 0.5
  for p in "${CAPTURE_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
  for p in "${CAPTURE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  CAPTURE_PIDS=()
}

# Waits until `show sip json` says the contact center at address $1 is up (its OPTIONS answered).
wait_contact_center_up() {  # role (vip|backup), seconds
  local deadline=$((SECONDS + ${2:-10}))
  until sbcctl show sip json >"$LAB_DIR/sip.json" 2>/dev/null &&
    [ "$(json "$LAB_DIR/sip.json" "d['contact_center']['$1']['answered'] > 0")" = True ]; do
    ((SECONDS > deadline)) && return 1
    sleep 0.2
  done
}

# The UDP payloads (hex, one per line) of a pcap between two addresses, SIP left out.
rtp_payloads() {  # pcap src dst
  python3 "$LAB_ROOT/tests/integration/lib/pcap_udp.py" "$1" ${2:+--src "$2"} ${3:+--dst "$3"} --not-port 5060 |
    python3 -c "import json,sys; [print(json.loads(l)['payload']) for l in sys.stdin]"
}
