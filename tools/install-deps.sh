#!/usr/bin/env bash
# Installs, by Debian package name, everything the build, the tests and the demo need.
# Idempotent: a second run only checks.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libdpdk-dev dpdk            # the fast path (EAL, ethdev, hash, rcu, net_af_packet/pcap/tap/null PMDs)
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libpcap-dev
  libedit-dev                 # sbcctl's interactive shell: line editing, Tab, `?`, history
  iproute2 iputils-ping ethtool procps
  tshark tcpdump              # tshark is the oracle that decodes what we emit
  sip-tester                  # sipp, used from the SIP issue on
  kamailio rtpengine-daemon   # the reference SBC of `sbcbench calls` (bench/calls/)
  python3
)
# Daemons that these packages would start as system services. The benchmark starts its own
# instances inside its namespaces; a system-wide one would hold ports and CPU.
services=(kamailio rtpengine-daemon)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  # No service may start during the install: policy-rc.d answering 101 is Debian's way to
  # say so (invoke-rc.d and deb-systemd-invoke both ask it). Put one in place only if the
  # machine has none, and take it away again.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# ... nor start at the next boot (the packages enable their units), nor keep running under
# systemd. Only the packages' own units are touched, never a process found by name.
if command -v systemctl >/dev/null; then
  for unit in "${services[@]/%/.service}" rtpengine.service; do
    if systemctl is-enabled -q "$unit" 2>/dev/null; then systemctl disable -q "$unit" 2>/dev/null || true; fi
    if [ -d /run/systemd/system ] && systemctl is-active -q "$unit"; then systemctl stop "$unit" || true; fi
  done
fi
