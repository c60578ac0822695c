#!/usr/bin/env bash
# `sbcctl check config FILE` as an engineer runs it before a restart: the shipped startup file
# is ok (exit 0, a summary); a file with bad lines names each line and word (exit 1), a broken
# `acl` line without follow-on errors for its rules; an unreadable file exits 2. No sbcd needed.
set -u
SBCCTL=$1
SOURCE_DIR=$2
failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect() {  # description, wanted rc, wanted output pattern, command...
  local what=$1 rc=$2 pattern=$3; shift 3
  local out got
  out=$("$@" 2>&1); got=$?
  if [ "$got" = "$rc" ] && grep -qE -- "$pattern" <<<"$out"; then echo "ok   - $what"
  else echo "FAIL - $what (rc $got): $out"; failures=$((failures + 1)); fi
}
expect "the shipped startup file is ok" 0 'sbc.conf: ok: 2 interfaces, .* access lists with [0-9]+ rules' \
  "$SBCCTL" check config "$SOURCE_DIR/config/sbc.conf"
cat "$SOURCE_DIR/config/sbc.conf" > "$work/bad.conf"
cat >> "$work/bad.conf" <<'CONF'
acl edge extra
 10 deny udp 203.0.113.0/24 any eq 5060
 20 permit udp any any rate-limit
exit
firewall bind access in acl nowhere
CONF
lines=$(wc -l < "$SOURCE_DIR/config/sbc.conf")
out=$("$SBCCTL" check config "$work/bad.conf" 2>&1); rc=$?
expected="$work/bad.conf: line $((lines + 1)): 'extra': unexpected word, expected: <cr>
$work/bad.conf: line $((lines + 3)): incomplete command after 'rate-limit', expected: (1-100000000)"
if [ "$rc" = 1 ] && [ "$out" = "$expected" ]; then echo "ok   - bad lines named once each, none after them"
else echo "FAIL - bad lines (rc $rc): $out"; failures=$((failures + 1)); fi
expect "an unreadable file exits 2" 2 'cannot read' "$SBCCTL" check config "$work/missing.conf"
expect "a missing FILE is a usage error" 2 'usage: sbcctl check config FILE' "$SBCCTL" check config
echo "$failures failure(s)"
[ "$failures" = 0 ]
