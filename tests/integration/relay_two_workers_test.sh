#!/usr/bin/env bash
# Two workers (issue 2: "one or more worker lcores with their own rx/tx queues"): af_packet's
# fanout hashes the eight streams of four sessions over both workers' queues (which stream
# lands where is the kernel's choice, so the split is printed, not asserted). Every packet of
# every stream arrives intact both ways, and `show workers` adds up to what was relayed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/checks.sh"
skip_unless_root
source "$here/lib/lab.sh"
trap lab_down EXIT

lab_up
lab_config | sed 's/^dataplane workers 1$/dataplane workers 2/' >"$LAB_DIR/sbc.conf"
grep -q "^dataplane workers 2$" "$LAB_DIR/sbc.conf"
lab_start_sbcd "$LAB_DIR/sbc.conf"

SESSIONS=4 N=200
pids=()
for i in $(seq $SESSIONS); do
  sbcctl media session add $i leg-a access0 $SBC_ACC_IP:$((20000 + 4 * i)) $CAR_IP:$((4000 + 2 * i)) \
                              leg-b core0 $SBC_CORE_IP:$((20002 + 4 * i)) $CC_IP:$((5000 + 2 * i)) >/dev/null
  lab_rtp "$NS_CC" "$LAB_DIR/cc$i.json" --bind $CC_IP:$((5000 + 2 * i)) --to $SBC_CORE_IP:$((20002 + 4 * i)) \
    --count $N --pps 400 --ssrc $((0x100 + i)) --expect $N --expect-from $SBC_CORE_IP:$((20002 + 4 * i)) \
    --timeout 15 --start-delay 0.5 &
  pids+=($!)
  lab_rtp "$NS_CAR" "$LAB_DIR/car$i.json" --bind $CAR_IP:$((4000 + 2 * i)) --to $SBC_ACC_IP:$((20000 + 4 * i)) \
    --count $N --pps 400 --ssrc $((0x200 + i)) --expect $N --expect-from $SBC_ACC_IP:$((20000 + 4 * i)) \
    --timeout 15 --start-delay 0.5 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

for i in $(seq $SESSIONS); do
  for side in cc car; do
    check "session $i: $side received $N intact, one stream" \
      test "$(json "$LAB_DIR/$side$i.json" "(d['intact'], d['wrong_source'], len(d['ssrcs']))")" = "($N, 0, 1)"
  done
done
sbcctl show workers
summary=$(sbcctl show workers json | python3 -c "
import json, sys
w = json.load(sys.stdin)['workers']
print(len(w), sum(x['media_packets'] for x in w), all(x['polls'] > 0 for x in w),
      all(x['fast_path'] in ('avx512', 'scalar') for x in w))")
check "two workers, both polling, relayed $((SESSIONS * 2 * N)) between them, each naming its fast path (got: $summary)" \
  test "$summary" = "2 $((SESSIONS * 2 * N)) True True"
if ((failures)); then cat "$LAB_DIR/sbcd.log"; exit 1; fi
echo "all checks passed"
