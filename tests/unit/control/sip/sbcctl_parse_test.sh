#!/usr/bin/env bash
# `sbcctl parse sip FILE|-` as an operator runs it: a valid message prints JSON and exits 0;
# garbage, a wrong version and binary noise exit 1 with "parse error at line L (offset O)";
# a file that cannot be read exits 2. No sbcd is needed.
set -u
SBCCTL=$1
failures=0
expect() {  # description, wanted rc, wanted stdout/stderr pattern, command...
  local what=$1 rc=$2 pattern=$3; shift 3
  local out got
  out=$("$@" 2>&1); got=$?
  if [ "$got" = "$rc" ] && grep -qE -- "$pattern" <<<"$out"; then echo "ok   - $what"
  else echo "FAIL - $what (rc $got): $out"; failures=$((failures + 1)); fi
}
valid=$'OPTIONS sip:198.18.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.10:5060;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nFrom: <sip:a@198.18.1.10>;tag=1\r\nTo: <sip:198.18.1.1>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
expect "a valid message prints JSON" 0 '"method":"OPTIONS"' \
  bash -c 'printf "%s" "$1" | "$0" parse sip -' "$SBCCTL" "$valid"
expect "another SIP version is a parse error with its place" 1 \
  '^sbcctl: parse error at line 1 \(offset [0-9]+\).*SIP/7.0' \
  bash -c 'printf "%s" "$1" | "$0" parse sip -' "$SBCCTL" "${valid/sip:198.18.1.1 SIP\/2.0/sip:198.18.1.1 SIP\/7.0}"
expect "a header line without a colon is a parse error" 1 'parse error at line [0-9]+' \
  bash -c 'printf "%s" "$1" | "$0" parse sip -' "$SBCCTL" "${valid/Max-Forwards: 70/Max-Forwards 70}"
expect "binary noise is a parse error, not a crash" 1 'parse error' \
  bash -c 'head -c 4096 /dev/urandom | "$0" parse sip -' "$SBCCTL"
expect "empty input is a parse error" 1 'parse error' bash -c '"$0" parse sip - </dev/null' "$SBCCTL"
expect "a file that cannot be read exits 2" 2 'sbcctl' "$SBCCTL" parse sip /nonexistent/message.sip
expect "a missing FILE is a usage error" 2 'usage' "$SBCCTL" parse sip
echo "$failures failure(s)"
[ "$failures" = 0 ]
