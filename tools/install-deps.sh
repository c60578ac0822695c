#!/usr/bin/env bash
# Installs, by Debian package name, everything the build, the tests and the demo need.
# Idempotent: a second run only checks.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libdpdk-dev dpdk            # the fast path (EAL, ethdev, hash, rcu, net_af_packet/pcap/tap/null PMDs)
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libpcap-dev
  iproute2 iputils-ping ethtool procps
  tshark tcpdump              # tshark is the oracle that decodes what we emit
  sip-tester                  # sipp, used from the SIP issue on
  python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
