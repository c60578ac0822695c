// sbcbench: the benchmarks behind every performance number in our notes.
//   sbcbench relay [--sessions N] [--packets N] [--rounds N] [--sw-checksum] [--stages]
//                  [--page-aligned-mbufs] [--scalar] [--burst N] [--both-ways]
//                  [--updated PCT [--no-rehome]] [--json]
//   sbcbench churn [--sessions N] [--rate N] [--seconds S] [--json]
//   sbcbench acl [--sessions N] [--packets N] [--rounds N] [--json]
//   sbcbench calls [--systems sbc,kamailio+rtpengine] [--max-seconds S] [--json] ...
//   sbcbench flood [--rate N] [--seconds S] [--sources N] [--factor X] [--json]
//   sbcbench translation [--json]

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_fixture.h"
#include "bench/relay_bench.h"
#include "bench/translation_bench.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: sbcbench relay [--sessions N] [--packets N] [--rounds N] [--sw-checksum] [--stages]\n"
               "                      [--page-aligned-mbufs] [--scalar] [--burst N] [--both-ways]\n"
               "                      [--updated PCT [--no-rehome]] [--json]\n"
               "       sbcbench churn [--sessions N] [--rate N] [--seconds S] [--rounds N] [--json]\n"
               "       sbcbench acl [--sessions N] [--packets N] [--rounds N] [--json]\n"
               "       sbcbench calls [--systems sbc,kamailio+rtpengine] [--max-seconds S] [--json] "
               "(see bench/calls/README.md)\n"
               "       sbcbench flood [--rate N] [--seconds S] [--sources N] [--factor X] [--json] "
               "(bench/flood/flood_bench.py)\n"
               "       sbcbench translation [--json]\n");
  return 2;
}

// The call-rate benchmark drives sipp, kamailio and sbcd in network namespaces: that is a
// script's job, so `calls` hands its arguments to bench/calls/calls_bench.py. The script
// is told where this binary lives, so that it prefers the sbcd built beside it.
// Debian's own interpreter first: the script needs only the standard library, and it must
// keep this PID (a SIGTERM to it makes the script remove its namespaces), which a wrapper
// found first in PATH, such as a pyenv shim, does not promise.
int execScriptBench(const char* relativePath, int argc, char** argv) {
  std::string script = std::string(SBC_SOURCE_DIR) + relativePath;
  char self[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (length > 0) {
    std::string directory(self, static_cast<size_t>(length));
    directory.erase(directory.rfind('/'));
    setenv("SBCBENCH_BUILD_DIR", directory.c_str(), 1);
  }
  std::vector<char*> args;
  args.push_back(const_cast<char*>("python3"));
  args.push_back(script.data());
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv("/usr/bin/python3", args.data());
  execvp("python3", args.data());
  std::fprintf(stderr, "sbcbench: cannot run python3 %s: %s\n", script.c_str(), std::strerror(errno));
  return 127;
}

bool parseNumber(const char* text, uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string which = argv[1];
  if (which == "calls") return execScriptBench("/bench/calls/calls_bench.py", argc, argv);
  // `flood` runs sbcd, sipp and the flood sources in the calls bench's namespaces: a script too.
  if (which == "flood") return execScriptBench("/bench/flood/flood_bench.py", argc, argv);
  // Plain memory, no DPDK.
  if (which == "translation") {
    sbc::bench::TranslationOptions translation;
    for (int i = 2; i < argc; ++i) {
      if (std::strcmp(argv[i], "--json") != 0) {
        std::fprintf(stderr, "sbcbench: unknown option '%s'\n", argv[i]);
        return usage();
      }
      translation.json = true;
    }
    return sbc::bench::runTranslationBench(translation);
  }
  sbc::bench::RelayOptions relay;
  sbc::bench::ChurnOptions churn;
  sbc::bench::AclBenchOptions acl;
  uint64_t maxSessions = 0;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    uint64_t v = 0;
    auto number = [&](uint64_t& out) {
      if (i + 1 >= argc || !parseNumber(argv[i + 1], out)) {
        std::fprintf(stderr, "sbcbench: %s needs a number\n", a.c_str());
        std::exit(2);
      }
      ++i;
    };
    if (a == "--json") {
      relay.json = churn.json = acl.json = true;
    } else if (a == "--stages") {
      relay.stages = true;
    } else if (a == "--page-aligned-mbufs") {
      relay.pageAlignedMbufs = true;
    } else if (a == "--scalar") {
      relay.scalar = true;
    } else if (a == "--both-ways") {
      relay.bothWays = true;
    } else if (a == "--updated") {
      number(v);
      if (v > 100) {
        std::fprintf(stderr, "sbcbench: --updated is a percentage, 0 to 100\n");
        return 2;
      }
      relay.updatedPct = static_cast<uint32_t>(v);
    } else if (a == "--no-rehome") {
      relay.rehome = false;
    } else if (a == "--sw-checksum") {
      relay.nicChecksumOffload = false;
    } else if (a == "--sessions") {
      number(v);
      if (v == 0 || v > 1'200'000) {
        std::fprintf(stderr, "sbcbench: --sessions must be 1 to 1200000\n");
        return 2;
      }
      relay.sessionCounts = {static_cast<uint32_t>(v)};
      churn.sessions = static_cast<uint32_t>(v);
      acl.sessions = static_cast<uint32_t>(v);
    } else if (a == "--burst") {
      number(v);
      if (v == 0 || v > sbc::dataplane::kMaxBurst) {
        std::fprintf(stderr, "sbcbench: --burst must be 1 to %u\n", unsigned{sbc::dataplane::kMaxBurst});
        return 2;
      }
      relay.burst = static_cast<uint16_t>(v);
    } else if (a == "--packets") {
      number(v);
      relay.packetsPerRun = acl.packetsPerRun = v;
    } else if (a == "--rounds") {
      number(v);
      relay.rounds = churn.rounds = acl.rounds = static_cast<unsigned>(std::max<uint64_t>(v, 1));
    } else if (a == "--rate") {
      number(v);
      churn.churnPerSecond = static_cast<uint32_t>(std::max<uint64_t>(v, 1));
    } else if (a == "--seconds") {
      if (i + 1 >= argc) return usage();
      churn.seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "sbcbench: unknown option '%s'\n", a.c_str());
      return usage();
    }
  }
  if (which != "relay" && which != "churn" && which != "acl") {
    std::fprintf(stderr, "sbcbench: unknown benchmark '%s'\n", which.c_str());
    return usage();
  }
  for (uint32_t s : relay.sessionCounts) maxSessions = std::max<uint64_t>(maxSessions, s);
  maxSessions = std::max<uint64_t>(maxSessions, churn.sessions + churn.churnPerSecond);
  // DPDK memory: mbufs, and the flow table's deferred-free queue, a ring of 16-byte entries
  // rounded up to a power of two (at most 32 bytes per flow), two flows per session. The flows
  // themselves and the flow table's port arrays are plain process memory.
  uint32_t memoryMb = static_cast<uint32_t>(256 + maxSessions * 2 * 32 / (1 << 20));
  std::string error;
  if (!sbc::bench::startEal(memoryMb, error)) {
    std::fprintf(stderr, "sbcbench: %s\n", error.c_str());
    return 1;
  }
  int rc = which == "relay"   ? sbc::bench::runRelayBench(relay)
           : which == "churn" ? sbc::bench::runChurnBench(churn)
                              : sbc::bench::runAclBench(acl);
  sbc::bench::stopEal();
  return rc;
}
