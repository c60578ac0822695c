#!/usr/bin/env bash
# The demo (README): a carrier host and a contact-center host, each in its own network
# namespace, exchange RTP through sbcd, which owns both links through DPDK (af_packet ports)
# and anchors the media: each side sees only the SBC's address. Prints what arrived at each
# end and the SBC's counters. Later issues turn this into a full SIP call through the VIP.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "demo: run as root (it builds network namespaces)" >&2; exit 1; fi
./tools/install-deps.sh
./tools/build.sh >/dev/null

source tests/integration/lib/lab.sh
trap lab_down EXIT
lab_up
lab_start_sbcd

echo
echo "== sbcctl show interfaces"
sbcctl show interfaces
echo
echo "== sbcctl media session add 1 ..."
sbcctl media session add 1 leg-a access0 $SBC_ACC_IP:20000 $CAR_IP:4000 \
                             leg-b core0 $SBC_CORE_IP:20002 $CC_IP:5000
echo
seconds=${DEMO_SECONDS:-4}
count=$((seconds * 50))
echo "== $seconds s of G.711-sized RTP (50 packets/s) each way: carrier $CAR_IP:4000 <-> SBC <-> contact center $CC_IP:5000"
lab_rtp "$NS_CC" "$LAB_DIR/cc.json" --bind $CC_IP:5000 --to $SBC_CORE_IP:20002 --count $count \
  --pps 50 --ssrc 0xCC --expect $count --expect-from $SBC_CORE_IP:20002 --timeout $((seconds + 5)) --start-delay 0.5 &
cc=$!
lab_rtp "$NS_CAR" "$LAB_DIR/car.json" --bind $CAR_IP:4000 --to $SBC_ACC_IP:20000 --count $count \
  --pps 50 --ssrc 0xCA --expect $count --expect-from $SBC_ACC_IP:20000 --timeout $((seconds + 5)) --start-delay 0.5 &
car=$!
status=0
wait $cc || status=1
wait $car || status=1
python3 - "$LAB_DIR/car.json" "$LAB_DIR/cc.json" <<'PY'
import json, sys
for name, path in (("carrier", sys.argv[1]), ("contact center", sys.argv[2])):
    d = json.load(open(path))
    print(f"{name:15s} sent {d['sent']:4d}, received {d['received']:4d} ({d['intact']} intact) "
          f"from {', '.join(d['sources']) or 'nobody'}, stream {', '.join(d['ssrcs'])}")
PY
echo
echo "== sbcctl show sessions"
sbcctl show sessions
echo
echo "== sbcctl show drops"
sbcctl show drops
echo
echo "== sbcctl show interfaces"
sbcctl show interfaces
exit $status
