// sbcctl: runs one command in sbcd over its control socket and prints the answer.
//
//   sbcctl [-s SOCKET] [--json] WORDS...       the words, joined by single spaces
//   sbcctl [-s SOCKET] [--json] -c "LINE"      the line as written (quotes reach sbcd intact)
//
// The socket is -s, else $SBC_SOCKET, else /run/sbc/sbcd.sock. --json appends the word `json`,
// which every show command takes. Exit status: the command's rc (0 ok, 1 error), or 2 when
// sbcctl could not ask (bad usage, sbcd not running). Needs nothing of DPDK.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "control/cli/ctl_client.h"

namespace {

constexpr const char* kDefaultSocket = "/run/sbc/sbcd.sock";
constexpr unsigned kAnswerTimeoutSeconds = 30;

void printUsage(FILE* to) {
  std::fprintf(to,
               "usage: sbcctl [-s SOCKET] [--json] WORDS...\n"
               "       sbcctl [-s SOCKET] [--json] -c \"COMMAND LINE\"\n"
               "Runs one command in sbcd; `sbcctl help` lists the commands.\n"
               "SOCKET defaults to $SBC_SOCKET, else %s.\n",
               kDefaultSocket);
}

struct Invocation {
  std::string socketPath;
  std::string line;
  bool json = false;
  bool lineGiven = false;
};

// False (after printing why) when the arguments make no sense.
bool parseArguments(int argc, char** argv, Invocation& invocation) {
  const char* fromEnvironment = std::getenv("SBC_SOCKET");
  invocation.socketPath =
      fromEnvironment && *fromEnvironment ? fromEnvironment : kDefaultSocket;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.empty() || arg[0] != '-') break;
    if (arg == "-h" || arg == "--help") {
      printUsage(stdout);
      std::exit(0);
    } else if (arg == "--json") {
      invocation.json = true;
    } else if ((arg == "-s" || arg == "--socket" || arg == "-c") && i + 1 < argc) {
      if (arg == "-c") {
        invocation.line = argv[++i];
        invocation.lineGiven = true;
      } else {
        invocation.socketPath = argv[++i];
      }
    } else {
      std::fprintf(stderr, "sbcctl: unknown option or missing value: %s\n", arg.c_str());
      printUsage(stderr);
      return false;
    }
  }
  if (invocation.lineGiven && i < argc) {
    std::fprintf(stderr, "sbcctl: give the command either with -c or as words, not both\n");
    return false;
  }
  for (; i < argc; ++i) {
    if (!invocation.line.empty()) invocation.line += ' ';
    invocation.line += argv[i];
  }
  if (invocation.line.find_first_not_of(" \t") == std::string::npos) {
    printUsage(stderr);
    return false;
  }
  if (invocation.json) invocation.line += " json";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Invocation invocation;
  if (!parseArguments(argc, argv, invocation)) return 2;
  const sbc::control::CtlClientResult result = sbc::control::runRemoteCommand(
      invocation.socketPath, invocation.line, kAnswerTimeoutSeconds);
  if (!result.ok()) {
    std::fprintf(stderr, "sbcctl: %s\n", result.error.c_str());
    return 2;
  }
  std::fputs(result.text.c_str(), result.rc == 0 ? stdout : stderr);
  return result.rc == 0 ? 0 : 1;
}
