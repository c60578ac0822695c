#!/usr/bin/env bash
# The in-process benchmarks still run and still measure what they claim, in a second each: every
# generated packet goes through the real worker pipeline and out (sbcbench exits non-zero if
# one is not forwarded), the JSON has the fields the notes quote, each --stages figure is a
# number, and a bad option is named. No speed is asserted here: speeds are for bench/ and notes.
set -u
SBCBENCH=$1
failures=0
check() {  # description, then a python expression over `d` (the JSON object) that must hold
  local what=$1 condition=$2 json=$3
  if python3 -c "import json,math,sys; d=json.loads(sys.argv[1]); sys.exit(0 if ($condition) else 1)" "$json"; then
    echo "ok   - $what"
  else
    echo "FAIL - $what: $json"; failures=$((failures + 1))
  fi
}
last_json() { grep '^{' | tail -1; }
# Runs sbcbench with these arguments and --json; sets $json to its JSON line, or counts a failure
# named `what` and returns 1.
run_json() {
  local what=$1 out rc
  shift
  out=$("$SBCBENCH" "$@" --json 2>&1); rc=$?
  json=$(last_json <<<"$out")
  if [ $rc -ne 0 ] || [ -z "$json" ]; then echo "FAIL - $what ran (rc $rc): $out"; failures=$((failures + 1)); return 1; fi
}
# Runs sbcbench with these arguments, which it must refuse with exit 2 and a message that
# matches `pattern`.
refused() {
  local what=$1 pattern=$2 out rc
  shift 2
  out=$("$SBCBENCH" "$@" 2>&1); rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$pattern" <<<"$out"; then echo "ok   - $what (exit 2)"
  else echo "FAIL - $what (rc $rc): $out"; failures=$((failures + 1)); fi
}
relay=(relay --sessions 1000 --packets 200000 --rounds 1)

if run_json "relay" "${relay[@]}" --stages; then
  check "relay: one result for 1,000 sessions, one way (none received on the core side), all of it forwarded" \
    'd["bench"]=="relay" and d["traffic"]=="one-way" and len(d["results"])==1 and d["results"][0]["sessions"]==1000 and d["results"][0]["received_core_pct"]==0.0 and d["results"][0]["forwarded_pct"]==100.0' "$json"
  check "relay: says how its mbufs are laid out (packed: IOVA as VA here, or hugepages)" \
    'd["mbufs"]=="packed" and d["memory"] in ("4k-pages","hugepages")' "$json"
  check "relay: names its fast paths (avx512 where the CPU has it, scalar otherwise)" \
    'd["fast_path"] in ("avx512","scalar")' "$json"
  check "relay: rates and ratio are positive" \
    'all(d["results"][0][k] > 0 for k in ("mpps","baseline_mpps","ratio","ns_per_packet"))' "$json"
  check "relay --stages: baseline, classify, homes and relay, each a finite number" \
    'sorted(d["results"][0]["stages_ns"])==sorted(["baseline","classify","homes","relay"]) and all(math.isfinite(v) for v in d["results"][0]["stages_ns"].values()) and d["results"][0]["stages_ns"]["baseline"] > 0' "$json"
fi

if run_json "relay --both-ways" "${relay[@]}" --both-ways; then
  check "relay --both-ways: half the packets came in on the core side, and all were forwarded" \
    'd["traffic"]=="both-ways" and d["results"][0]["received_core_pct"]==50.0 and d["results"][0]["forwarded_pct"]==100.0' "$json"
fi

if run_json "relay --page-aligned-mbufs" "${relay[@]}" --page-aligned-mbufs; then
  check "relay --page-aligned-mbufs: one mbuf per 4 KiB page (hugepages pack them anyway), all forwarded" \
    'd["mbufs"]==("packed" if d["memory"]=="hugepages" else "page-aligned") and d["results"][0]["forwarded_pct"]==100.0' "$json"
fi

if run_json "relay --scalar" "${relay[@]}" --scalar; then
  check "relay --scalar: the scalar fast paths, all forwarded" \
    'd["fast_path"]=="scalar" and d["results"][0]["forwarded_pct"]==100.0' "$json"
fi

if run_json "relay --burst 8" "${relay[@]}" --burst 8; then
  check "relay --burst 8: smaller bursts, all forwarded" 'd["results"][0]["forwarded_pct"]==100.0' "$json"
fi

for rehome in "" --no-rehome; do
  if run_json "relay --updated 10 $rehome" "${relay[@]}" --both-ways --updated 10 $rehome; then
    check "relay --updated 10 $rehome: says so, and every packet was forwarded, home or away" \
      "d['updated_pct']==10 and d['rehome']==$([ -z "$rehome" ] && echo True || echo False) and d['results'][0]['forwarded_pct']==100.0" "$json"
  fi
done

if run_json "translation" translation; then
  check "translation: seven sizes, each chase a positive time, huge pages reported; four random walks" \
    'd["bench"]=="translation" and [r["pages"] for r in d["results"]]==[64,256,1024,2048,4096,16384,65536] and all(r["ns_spread"] > 0 and r["ns_packed"] > 0 and r["huge_kib"] >= 0 for r in d["results"]) and [w["table_mib"] for w in d["random_walks"]]==[1,16,64,128] and all(w["ahead"]==32 and w["ns_per_line"] > 0 for w in d["random_walks"])' "$json"
fi

if run_json "churn" churn --sessions 1000 --rate 2000 --seconds 0.2 --rounds 1; then
  check "churn: sessions were added and deleted while the relay ran" \
    'd["bench"]=="churn" and d["churn_per_s"] > 0 and d["mpps_quiet"] > 0 and d["mpps_churn"] > 0' "$json"
fi

refused "a bad option is named" "unknown option '--stagez'" relay --stagez
refused "a burst larger than the pipeline's is refused" "burst must be 1 to 32" relay --burst 33
refused "translation names a bad option" "unknown option '--pages'" translation --pages
refused "an update share over 100 % is refused" "updated is a percentage, 0 to 100" relay --updated 101
refused "an update share that is not a number is refused" "updated needs a number" relay --updated ten

[ $failures -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "all passed"
