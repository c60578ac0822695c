#!/usr/bin/env bash
# The test command (README, CI): installs what it needs, builds, and runs every test: unit
# tests, pcap golden tests and namespace integration tests (the last two need root).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
./tools/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
