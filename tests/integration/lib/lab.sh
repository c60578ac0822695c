# shellcheck shell=bash
# The test network (DESIGN.md): three network namespaces joined by veths, addresses from
# 198.18.0.0/15 only.
#
#   carrier host  198.18.1.10  ── veth ──  acc  ┐
#                                               ├ sbcd (DPDK af_packet ports, in its own ns)
#   contact ctr   198.18.2.10  ── veth ── core  ┘   kernel TAPs sbc-access0/sbc-core0 hold
#                                                    198.18.1.1 and 198.18.2.1 (exception path)
#
# Sourced by the integration tests and the demo. Everything it creates carries a per-run
# prefix and is removed by lab_down (the callers trap EXIT), so runs never collide or leak.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# Where sbcd and sbcctl are: the build tree ctest runs from (tests/integration/CMakeLists.txt
# sets it), else build/.
SBC_BUILD_DIR=${SBC_BUILD_DIR:-$LAB_ROOT/build}
LAB_PREFIX=${LAB_PREFIX:-sbct$$}
NS_SBC=$LAB_PREFIX-sbc
NS_CAR=$LAB_PREFIX-car
NS_CC=$LAB_PREFIX-cc
LAB_DIR=$(mktemp -d /tmp/$LAB_PREFIX.XXXX)
SBC_SOCKET=$LAB_DIR/sbcd.sock
SBCD_PID=

CAR_IP=198.18.1.10
CC_IP=198.18.2.10
SBC_ACC_IP=198.18.1.1
SBC_CORE_IP=198.18.2.1
# IPv6 documentation prefixes: they never leave the namespaces either.
CAR_IP6=2001:db8:1::10
CC_IP6=2001:db8:2::10
SBC_ACC_IP6=2001:db8:1::1
SBC_CORE_IP6=2001:db8:2::1
SBC_ACC_MAC=02:5b:c0:00:01:01
SBC_CORE_MAC=02:5b:c0:00:02:01
CAR_MAC=02:5b:c0:00:01:0a
CC_MAC=02:5b:c0:00:02:0a

lab_log() { printf '[lab] %s\n' "$*" >&2; }

# A veth in the SBC's namespace (no address: DPDK owns it) joined to a host namespace.
lab_link() {  # sbc_end host_ns host_end host_ip/len host_mac sbc_mac host_ip6/len
  ip -n "$NS_SBC" link add "$1" address "$6" type veth peer name "$3" netns "$2"
  ip -n "$2" link set "$3" address "$5"
  ip -n "$2" addr add "$4" dev "$3"
  ip -n "$2" addr add "$7" dev "$3" nodad
  ip netns exec "$NS_SBC" sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
  # af_packet hands DPDK what the kernel put on the wire: checksums must be complete, not
  # left for an offload engine that a veth does not have.
  ip netns exec "$2" ethtool -K "$3" tx off rx off >/dev/null 2>&1 || true
  ip netns exec "$NS_SBC" ethtool -K "$1" tx off rx off >/dev/null 2>&1 || true
  ip -n "$NS_SBC" link set "$1" up
  ip -n "$2" link set "$3" up
}

lab_up() {
  for ns in "$NS_SBC" "$NS_CAR" "$NS_CC"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  lab_link acc "$NS_CAR" car0 "$CAR_IP/24" "$CAR_MAC" "$SBC_ACC_MAC" "$CAR_IP6/64"
  lab_link core "$NS_CC" cc0 "$CC_IP/24" "$CC_MAC" "$SBC_CORE_MAC" "$CC_IP6/64"
  lab_log "namespaces $NS_SBC $NS_CAR $NS_CC up"
}

# SIP datagrams larger than a frame (RFC 3261 18.1.1) arrive as IP fragments, and the af_packet
# port hands sbcd the kernel's reassembled datagram in one frame, which must fit this. 16,000
# bytes hold RFC 4475's longreq (3.5 KB) with room to spare, and take 16 KiB ring slots.
LAB_MAX_FRAME=16000

lab_config() {  # prints the sbcd configuration for the lab
  cat <<CONF
! written by tests/integration/lib/lab.sh
dataplane workers 1
dataplane max-sessions 4096
dataplane memory-mb 256
dataplane idle-sleep-us 50
media port-range 20000 29999
media idle-timeout ${LAB_IDLE_TIMEOUT:-30}
interface access0
 device net_af_packet0,iface=acc
 realm access
 mac $SBC_ACC_MAC
 max-frame ${LAB_MAX_FRAME}
 address $SBC_ACC_IP/24
 address $SBC_ACC_IP6/64
 exception-path tap sbc-access0
exit
interface core0
 device net_af_packet1,iface=core
 realm core
 mac $SBC_CORE_MAC
 max-frame ${LAB_MAX_FRAME}
 address $SBC_CORE_IP/24
 address $SBC_CORE_IP6/64
 exception-path tap sbc-core0
exit
CONF
}

lab_start_sbcd() {  # [config file]; waits for "sbcd ready"
  local conf=${1:-$LAB_DIR/sbc.conf}
  [ -f "$conf" ] || lab_config >"$conf"
  ip netns exec "$NS_SBC" "$SBC_BUILD_DIR/sbcd" -f "$conf" -s "$SBC_SOCKET" \
    >"$LAB_DIR/sbcd.log" 2>&1 &
  SBCD_PID=$!
  local deadline=$((SECONDS + 30))
  until grep -q "sbcd ready" "$LAB_DIR/sbcd.log" 2>/dev/null; do
    if ! kill -0 "$SBCD_PID" 2>/dev/null; then
      lab_log "sbcd exited:"; cat "$LAB_DIR/sbcd.log" >&2; return 1
    fi
    if ((SECONDS > deadline)); then lab_log "sbcd not ready in 30 s"; cat "$LAB_DIR/sbcd.log" >&2; return 1; fi
    sleep 0.1
  done
  lab_log "sbcd ready (pid $SBCD_PID)"
}

sbcctl() { "$SBC_BUILD_DIR/sbcctl" -s "$SBC_SOCKET" "$@"; }

lab_down() {
  if [ -n "$SBCD_PID" ] && kill -0 "$SBCD_PID" 2>/dev/null; then
    kill -TERM "$SBCD_PID"
    for _ in $(seq 50); do kill -0 "$SBCD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SBCD_PID" 2>/dev/null && kill -KILL "$SBCD_PID"
    wait "$SBCD_PID" 2>/dev/null
  fi
  SBCD_PID=
  for ns in "$NS_SBC" "$NS_CAR" "$NS_CC"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$LAB_DIR"
}

# Runs the RTP peer inside a namespace (background with &, collect its JSON from the file).
lab_rtp() {  # ns outfile args...
  local ns=$1 out=$2; shift 2
  ip netns exec "$ns" python3 "$LAB_ROOT/tests/integration/lib/rtp_peer.py" "$@" >"$out"
}
