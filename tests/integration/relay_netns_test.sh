#!/usr/bin/env bash
# Integration test of the fast path in network namespaces (issue 2): two hosts on two veths
# send RTP both ways through sbcd on af_packet ports; every packet arrives rewritten and
# intact; a forged source is dropped; malformed frames are dropped and counted by reason while
# the call keeps flowing; ping of the SBC and a UDP service on the SBC's own address work
# through the exception path, a datagram larger than a frame included.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/checks.sh"
skip_unless_root
source "$here/lib/lab.sh"
trap lab_down EXIT

lab_up
LAB_IDLE_TIMEOUT=3 lab_start_sbcd

sbcctl media session add 1 leg-a access0 $SBC_ACC_IP:20000 $CAR_IP:4000 \
                             leg-b core0 $SBC_CORE_IP:20002 $CC_IP:5000 >/dev/null

# --- RTP both ways ---------------------------------------------------------------------------
rtp_both_ways ipv4 400 $CAR_IP:4000 $SBC_ACC_IP:20000 $CC_IP:5000 $SBC_CORE_IP:20002

sbcctl show session 1 json >"$LAB_DIR/s1.json"
check "both legs latched to the real peers" \
  test "$(json "$LAB_DIR/s1.json" "[l['latched_peer'] for l in d['legs']]")" = "['$CAR_IP:4000', '$CC_IP:5000']"

# --- A forged source (another port of the carrier host, then another host) is dropped -------
ip -n "$NS_CAR" addr add 198.18.1.66/24 dev car0
lab_rtp "$NS_CC" "$LAB_DIR/cc-forged.json" --bind $CC_IP:5000 --expect 1 --timeout 3 &
listener=$!
lab_rtp "$NS_CAR" "$LAB_DIR/forged1.json" --bind $CAR_IP:4002 --to $SBC_ACC_IP:20000 --count 20 --pps 200 --timeout 2 --start-delay 0.3
lab_rtp "$NS_CAR" "$LAB_DIR/forged2.json" --bind 198.18.1.66:4000 --to $SBC_ACC_IP:20000 --count 20 --pps 200 --timeout 2
wait $listener || true
check "no forged packet reached the contact center" test "$(json "$LAB_DIR/cc-forged.json" "d['received']")" = 0
sbcctl show session 1 json >"$LAB_DIR/s1.json"
check "the session counted 40 source drops on leg a" \
  test "$(json "$LAB_DIR/s1.json" "d['legs'][0]['rtp']['source_drops']")" = 40

# --- Malformed frames: each dropped and counted by reason, the call keeps flowing ----------
sbcctl show drops all json >"$LAB_DIR/drops-before.json"
ip netns exec "$NS_CAR" python3 "$here/lib/send_bad_frames.py" --iface car0 --src-mac $CAR_MAC \
  --dst-mac $SBC_ACC_MAC --src $CAR_IP --sport 4000 --dst $SBC_ACC_IP --dport 20000 --each 25 >"$LAB_DIR/bad.json"
lab_rtp "$NS_CC" "$LAB_DIR/cc-after.json" --bind $CC_IP:5000 --expect 50 --expect-from $SBC_CORE_IP:20002 --timeout 10 &
listener=$!
lab_rtp "$NS_CAR" "$LAB_DIR/car-after.json" --bind $CAR_IP:4000 --to $SBC_ACC_IP:20000 --count 50 --pps 200 --timeout 5 --start-delay 0.3 --ssrc 0xCB
wait $listener || true
sbcctl show drops all json >"$LAB_DIR/drops-after.json"
# Fragments are not among them here: af_packet joins its sockets to a fanout group with the
# defragment flag, so the kernel holds a lone fragment and never hands it to DPDK. The unit
# and pcap golden tests cover fragments.
for reason in truncated-frame ip-bad-checksum udp-bad-checksum ip-options ip-bad-length media-source-mismatch media-no-session; do
  delta=$(python3 - "$LAB_DIR/drops-before.json" "$LAB_DIR/drops-after.json" "$reason" <<'PY'
import json, sys
def count(path, reason):
    d = json.load(open(path))
    return d["drops"].get(reason, 0)
print(count(sys.argv[2], sys.argv[3]) - count(sys.argv[1], sys.argv[3]))
PY
)
  check "25 frames dropped as $reason" test "$delta" = 25
done
check "after the bad input the call still flows (50/50 intact)" \
  test "$(json "$LAB_DIR/cc-after.json" "(d['intact'], d['wrong_source'])")" = "(50, 0)"
check "sbcd is still running" kill -0 "$SBCD_PID"

# --- A gratuitous ARP moves the contact center's MAC: media follows at once --------------------
# The host changes its MAC and announces it, as a VIP moving to the backup host does. Frames
# still sent to the old MAC would be discarded by the host's kernel (not its address).
NEW_CC_MAC=02:5b:c0:00:02:0b
ip -n "$NS_CC" link set cc0 address $NEW_CC_MAC
ip netns exec "$NS_CC" python3 "$here/lib/send_garp.py" cc0 $CC_IP $NEW_CC_MAC
for _ in $(seq 50); do  # the worker learns it as the frame passes; bounded wait for the counter
  sbcctl show neighbors json | grep -q "$NEW_CC_MAC" && break
  sleep 0.05
done
check "the neighbour table holds the announced MAC" sh -c "'$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' show neighbors json | grep -q $NEW_CC_MAC"
lab_rtp "$NS_CC" "$LAB_DIR/cc-moved.json" --bind $CC_IP:5000 --expect 50 --expect-from $SBC_CORE_IP:20002 --timeout 10 &
listener=$!
lab_rtp "$NS_CAR" "$LAB_DIR/car-moved.json" --bind $CAR_IP:4000 --to $SBC_ACC_IP:20000 --count 50 --pps 200 --timeout 5 --start-delay 0.3 --ssrc 0xCD
wait $listener || true
check "after the gratuitous ARP every packet reaches the new MAC (50/50)" \
  test "$(json "$LAB_DIR/cc-moved.json" "(d['intact'], d['wrong_source'])")" = "(50, 0)"

# --- Exception path: ping, and a UDP service on the SBC's own address -----------------------
check "ping of the SBC's access address answers" ip netns exec "$NS_CAR" ping -c 3 -i 0.2 -W 2 -q $SBC_ACC_IP
check "ping of the SBC's core address answers" ip netns exec "$NS_CC" ping -c 3 -i 0.2 -W 2 -q $SBC_CORE_IP
ip netns exec "$NS_SBC" python3 - $SBC_ACC_IP 5060 >"$LAB_DIR/echo.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(10)
data, peer = s.recvfrom(2048)
s.sendto(b"pong:" + data, peer)
print(peer[0])
PY
service=$!
reply=$(ip netns exec "$NS_CAR" python3 - $SBC_ACC_IP 5060 <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(20):  # until the service has bound its socket
    s.sendto(b"OPTIONS", (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recvfrom(2048)[0].decode()); break
    except socket.timeout:
        pass
PY
)
wait $service || true
check "a UDP service bound to the SBC's address answered through the dataplane" test "$reply" = "pong:OPTIONS"
check "the service saw the carrier's real address" test "$(cat "$LAB_DIR/echo.txt")" = "$CAR_IP"

sbcctl show interfaces json >"$LAB_DIR/ifaces.json"
check "the exception path carried packets both ways on access0" \
  test "$(json "$LAB_DIR/ifaces.json" "d['interfaces'][0]['to_kernel'] > 0 and d['interfaces'][0]['from_kernel'] > 0")" = True

# --- A UDP datagram larger than a frame (RFC 3261 18.1.1: SIP over UDP up to 65,535 octets) ---
# The carrier's kernel sends it as IP fragments; the af_packet port's kernel reassembles them
# into one frame (the lab's max-frame, exactly), which the exception path cuts to the TAP's MTU
# again for the SBC's kernel to reassemble for the socket. The answer leaves as fragments.
BIG=$((LAB_MAX_FRAME - 42))  # UDP payload: Ethernet, IPv4 and UDP headers make max-frame
frag_creates() {  # the carrier kernel's count of IPv4 fragments made (/proc/net/snmp, Ip: FragCreates)
  ip netns exec "$NS_CAR" awk '/^Ip:/ { if (!col) { for (i = 1; i <= NF; i++) if ($i == "FragCreates") col = i } else print $col }' /proc/net/snmp
}
frag_before=$(frag_creates)
ip netns exec "$NS_SBC" python3 - $SBC_ACC_IP 5062 >"$LAB_DIR/big-service.txt" <<'PY' &
import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(15)
data, peer = s.recvfrom(65535)
s.sendto(b"pong:" + data, peer)
print(len(data), hashlib.sha256(data).hexdigest())
PY
service=$!
big=$(ip netns exec "$NS_CAR" python3 - $SBC_ACC_IP 5062 $BIG <<'PY'
import hashlib, socket, sys
data = bytes((i * 7 + i // 251) & 0xff for i in range(int(sys.argv[3])))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
answer = b""
for _ in range(20):  # until the service has bound its socket
    s.sendto(data, (sys.argv[1], int(sys.argv[2])))
    try:
        answer = s.recvfrom(65535)[0]; break
    except socket.timeout:
        pass
print(len(data), hashlib.sha256(data).hexdigest(), len(answer), answer == b"pong:" + data)
PY
)
wait $service || true
frag_after=$(frag_creates)
read -r sent_len sent_sha answer_len answer_ok <<<"$big"
check "the carrier sent the $BIG-byte datagram as IP fragments" test $((frag_after - frag_before)) -ge 11
check "the service on the SBC's address got the $BIG-byte datagram whole" \
  test "$(cat "$LAB_DIR/big-service.txt")" = "$sent_len $sent_sha"
check "its answer reached the carrier whole ($answer_len bytes)" test "$answer_ok $answer_len" = "True $((BIG + 5))"
sbcctl show interfaces json >"$LAB_DIR/ifaces-big.json"
check "the exception path cut it to the TAP's MTU" \
  test "$(json "$LAB_DIR/ifaces-big.json" "d['interfaces'][0]['split_for_kernel'] >= 1")" = True

# --- IPv6: next hops found by neighbour solicitation, media both ways ----------------------
# Nobody configured the hosts' MACs: the SBC asks with NS out of the port, the hosts answer
# with NA, and the workers learn it; the hosts in turn resolve the SBC through the kernel TAP.
sbcctl media session add 6 leg-a access0 "[$SBC_ACC_IP6]:20200" "[$CAR_IP6]:4200" \
                             leg-b core0 "[$SBC_CORE_IP6]:20202" "[$CC_IP6]:5200" >/dev/null
rtp_both_ways ipv6 100 "[$CAR_IP6]:4200" "[$SBC_ACC_IP6]:20200" "[$CC_IP6]:5200" "[$SBC_CORE_IP6]:20202"
sbcctl show neighbors json >"$LAB_DIR/neighbors.json"
check "IPv6: both hosts' MACs were learned from neighbour advertisements" \
  test "$(json "$LAB_DIR/neighbors.json" "sorted(n['address'] for n in d['neighbors'] if n['resolved'] and ':' in n['address'])")" = "['$CAR_IP6', '$CC_IP6']"
check "IPv6: ping of the SBC's access address answers" ip netns exec "$NS_CAR" ping -6 -c 2 -i 0.2 -W 2 -q $SBC_ACC_IP6
sbcctl media session del 6 >/dev/null

# --- A session that carries nothing is reported idle to the control side --------------------
sbcctl media session add 9 leg-a access0 $SBC_ACC_IP:20100 $CAR_IP:4100 \
                             leg-b core0 $SBC_CORE_IP:20102 $CC_IP:5100 >/dev/null
for _ in $(seq 100); do grep -q "session 9 idle" "$LAB_DIR/sbcd.log" && break; sleep 0.1; done
check "a silent session is reported idle after the configured 3 s" grep -q "session 9 idle" "$LAB_DIR/sbcd.log"
sbcctl media session del 9 >/dev/null

sbcctl media session del 1 >/dev/null
check "deleting the session leaves none" test "$(sbcctl show sessions json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')" = 0

if ((failures)); then
  echo "$failures check(s) failed; sbcd log:"; cat "$LAB_DIR/sbcd.log"; exit 1
fi
echo "all checks passed"
