# shellcheck shell=bash
# What the integration tests share besides the lab: the skip rule, counted checks, reading
# JSON, and RTP both ways through one session.

# Exits 77 (CTest's "skipped") unless the test can build network namespaces.
skip_unless_root() {
  if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
    echo "SKIP: needs root and network namespaces"; exit 77
  fi
}

failures=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; failures=$((failures + 1)); fi
}

# Prints a Python expression over the JSON object in a file, bound to `d`.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

# Symmetric RTP both ways through one session: the carrier sends from the port it receives on,
# and so does the contact center. Writes $LAB_DIR/<tag>-car.json and <tag>-cc.json.
rtp_both_ways() {  # tag count carrier-addr:port sbc-access-addr:port cc-addr:port sbc-core-addr:port
  local tag=$1 count=$2 car=$3 sbcAcc=$4 cc=$5 sbcCore=$6 pids=()
  lab_rtp "$NS_CC" "$LAB_DIR/$tag-cc.json" --bind "$cc" --to "$sbcCore" --count "$count" --pps 400 \
    --ssrc 0xCC --expect "$count" --expect-from "$sbcCore" --timeout 15 --start-delay 0.5 &
  pids+=($!)
  lab_rtp "$NS_CAR" "$LAB_DIR/$tag-car.json" --bind "$car" --to "$sbcAcc" --count "$count" --pps 400 \
    --ssrc 0xCA --expect "$count" --expect-from "$sbcAcc" --timeout 15 --start-delay 0.5 &
  pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || true; done
  check "$tag: the contact center got all $count carrier packets, intact, from $sbcCore" \
    test "$(json "$LAB_DIR/$tag-cc.json" "(d['intact'], d['wrong_source'], d['ssrcs'])")" = "($count, 0, ['0xca'])"
  check "$tag: the carrier got all $count contact-center packets, intact, from $sbcAcc" \
    test "$(json "$LAB_DIR/$tag-car.json" "(d['intact'], d['wrong_source'], d['ssrcs'])")" = "($count, 0, ['0xcc'])"
}
