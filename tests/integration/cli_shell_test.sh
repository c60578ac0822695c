#!/usr/bin/env bash
# The network engineer's shell against a running sbcd: the interactive sbcctl through a
# pseudo-terminal (cli_shell_test.py: Tab, `?`, modes, commit, abort, a bad line), then the
# one-shot forms scripts use: `sbcctl -c "a; b; c"` in one session, --json, write memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/checks.sh"
skip_unless_root
source "$here/lib/lab.sh"
trap lab_down EXIT

lab_up
lab_start_sbcd
mkdir -p "$LAB_DIR/home"

check "the interactive shell: Tab, ?, modes, commit, abort, a bad line" \
  python3 "$here/cli_shell_test.py" "$SBC_BUILD_DIR/sbcctl" "$SBC_SOCKET" "$LAB_DIR/home"

check "sbcctl -c runs several lines in one session" \
  sbcctl -c "configure; acl core-out; 10 permit udp any any; exit; firewall bind core out acl core-out; commit"
check "the one-shot commit is running" \
  bash -c "'$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' show acl core-out | grep -q '10 permit udp any any'"
check "a bad line in -c stops the script before its commit" \
  bash -c "! '$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' -c 'configure; acl core-out; 20 deny udp any any eq 70000; commit' 2>'$LAB_DIR/bad.err'"
check "  ...naming the word" grep -q "unknown word '70000' at position 7; expected: (0-65535)" "$LAB_DIR/bad.err"
check "  ...and nothing of it is running" \
  bash -c "! '$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' show running-config | grep -q '20 deny udp'"
check "--json on show acl counters" \
  bash -c "'$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' --json show acl counters | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [a[\"name\"] for a in d[\"acls\"]]==[\"edge\",\"core-out\"], d; assert \"commits\" in d'"
check "--json on show blocked" \
  bash -c "'$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' show blocked --json | python3 -c 'import json,sys; json.load(sys.stdin)[\"blocked\"]'"
check "write memory saves what sbcd reads back" \
  bash -c "'$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' write memory && grep -q '^ 10 permit udp any any$' '$LAB_DIR/sbc.conf' && grep -q '^firewall bind core out acl core-out$' '$LAB_DIR/sbc.conf'"
check "the saved file is a valid startup file" \
  bash -c "'$SBC_BUILD_DIR/sbcctl' -s '$SBC_SOCKET' show running-config | diff <(grep -v '^! written by' '$LAB_DIR/sbc.conf') -"
if ((failures)); then cat "$LAB_DIR/sbcd.log"; exit 1; fi
echo "all checks passed"
