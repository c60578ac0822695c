// sbcctl: the operator's shell of sbcd, over its control socket.
//
//   sbcctl [-s SOCKET]                         on a terminal: the interactive shell
//                                              (interactive_shell.h); otherwise the command
//                                              lines read from stdin, as with -c
//   sbcctl [-s SOCKET] [--json] WORDS...       one command: the words, joined by single spaces
//   sbcctl [-s SOCKET] [--json] -c "LINES"     command lines separated by `;` or newlines, run
//                                              in order in one session (so `configure; acl x;
//                                              10 deny ip any any; commit` works); quotes reach
//                                              sbcd intact; the first that fails stops the rest
//   sbcctl parse sip FILE|-                    parse one SIP message here, without sbcd
//   sbcctl check config FILE                   read a startup configuration as sbcd would,
//                                              without sbcd: every bad line, or a summary
//
// The socket is -s, else $SBC_SOCKET, else /run/sbc/sbcd.sock. --json adds the word `json`
// to every show command. Exit status: the last command's rc (0 ok, 1 error), or 2 when sbcctl
// could not ask (bad usage, sbcd not running). Needs nothing of DPDK.
//
// `parse sip` reads one SIP message from FILE (or stdin for -), parses it as a datagram with the
// SBC's own parser and prints it as JSON: 0 when it parses, 1 with "sbcctl: parse error at line
// L (offset O)[, header H]: REASON" on stderr when it does not, 2 when the file cannot be read.
// `check config` exits 0 when sbcd would start on the file, 1 with one line per fault on stderr
// ("FILE: line N: ...") when it would refuse it, 2 when the file cannot be read.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "control/cli/ctl_client.h"
#include "control/config/config_parser.h"
#include "control/cli/interactive_shell.h"
#include "control/sip/sip_json.h"
#include "control/sip/sip_parser.h"

namespace {

constexpr const char* kDefaultSocket = "/run/sbc/sbcd.sock";
constexpr unsigned kAnswerTimeoutSeconds = 30;

// The commands sbcctl runs itself, without sbcd.
constexpr const char* kLocalCommands =
    "Local commands (no sbcd needed):\n"
    "  parse sip FILE|-      parse one SIP message from FILE (- for stdin) and print it as JSON\n"
    "  check config FILE     read a startup configuration as sbcd would and name every bad line\n";

void printUsage(FILE* to) {
  std::fprintf(to,
               "usage: sbcctl [-s SOCKET]                 (an interactive shell on a terminal)\n"
               "       sbcctl [-s SOCKET] [--json] WORDS...\n"
               "       sbcctl [-s SOCKET] [--json] -c \"LINE; LINE...\"\n"
               "       sbcctl parse sip FILE|-\n"
               "       sbcctl check config FILE\n"
               "Runs commands in sbcd; `sbcctl help` lists them, `?` in the shell too.\n"
               "SOCKET defaults to $SBC_SOCKET, else %s.\n%s",
               kDefaultSocket, kLocalCommands);
}

// The whole of a file, or of stdin for "-". False (errno set) when it cannot be read.
bool readInput(const char* path, std::string& out) {
  const bool fromStdin = std::strcmp(path, "-") == 0;
  FILE* file = fromStdin ? stdin : std::fopen(path, "rb");
  if (!file) return false;
  char chunk[65536];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) out.append(chunk, got);
  const bool ok = !std::ferror(file);
  const int readErrno = errno;
  if (!fromStdin) std::fclose(file);
  errno = readErrno;
  return ok;
}

// The file of a local command `sbcctl VERB NOUN FILE` (argv: what follows VERB), or nullopt
// after printing the usage or why it cannot be read (exit status 2 for both).
std::optional<std::string> readCommandFile(int argc, char** argv, const char* verb, const char* noun,
                                           const char* file) {
  if (argc != 2 || std::strcmp(argv[0], noun) != 0) {
    std::fprintf(stderr, "usage: sbcctl %s %s %s\n", verb, noun, file);
    return std::nullopt;
  }
  std::string input;
  if (!readInput(argv[1], input)) {
    std::fprintf(stderr, "sbcctl: cannot read %s: %s\n", argv[1], std::strerror(errno));
    return std::nullopt;
  }
  return input;
}

// `sbcctl parse sip FILE|-`: the arguments after "parse".
int runParse(int argc, char** argv) {
  const std::optional<std::string> input = readCommandFile(argc, argv, "parse", "sip", "FILE|-");
  if (!input) return 2;
  const sbc::sip::ParseResult result = sbc::sip::parseDatagram(*input);
  if (!result.ok()) {
    const sbc::sip::ParseError& error = result.error;
    std::fprintf(stderr, "sbcctl: parse error at line %u (offset %zu)", error.line, error.offset);
    if (!error.header.empty()) std::fprintf(stderr, ", header %s", error.header.c_str());
    std::fprintf(stderr, ": %s\n", error.reason.c_str());
    return 1;
  }
  std::printf("%s\n", sbc::sip::messageToJson(*result.message).c_str());
  return 0;
}

// `sbcctl check config FILE`: the arguments after "check".
int runCheck(int argc, char** argv) {
  const std::optional<std::string> text = readCommandFile(argc, argv, "check", "config", "FILE");
  if (!text) return 2;
  const sbc::control::ConfigParseResult result = sbc::control::parseConfig(*text);
  if (!result.ok()) {
    for (const auto& error : result.errors) std::fprintf(stderr, "%s: %s\n", argv[1], error.toString().c_str());
    return 1;
  }
  std::printf("%s: ok: %zu interfaces, %zu trunks, %zu access lists with %zu rules, %zu bindings\n", argv[1],
              result.config->interfaces.size(), result.sip.trunks.size(), result.firewall.lists.size(), result.firewall.ruleCount(),
              result.firewall.bindings.size());
  return 0;
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
  if (invocation.lineGiven && invocation.line.find_first_not_of(" \t;\n") == std::string::npos) {
    printUsage(stderr);
    return false;
  }
  return true;
}

// --json: the word `json` after every show command that does not have it yet.
std::string withJson(const std::string& line) {
  const size_t first = line.find_first_not_of(" \t");
  const size_t end = line.find_first_of(" \t", first);
  const std::string verb = line.substr(first, end == std::string::npos ? end : end - first);
  const bool isShow = verb.size() >= 2 && std::string("show").starts_with(verb);
  const size_t last = line.find_last_not_of(" \t");
  const bool hasJson = last + 1 >= 4 && line.compare(last - 3, 4, "json") == 0;
  return isShow && !hasJson ? line + " json" : line;
}

// A session with sbcd, or null after saying why there is none.
std::unique_ptr<sbc::control::CtlConnection> connect(const std::string& socketPath, unsigned timeoutSeconds) {
  std::string error;
  auto connection = sbc::control::CtlConnection::open(socketPath, timeoutSeconds, error);
  if (!connection) std::fprintf(stderr, "sbcctl: %s\n", error.c_str());
  return connection;
}

// Runs the lines in order on one connection; stops at the first that fails.
int runScript(const Invocation& invocation, const std::vector<std::string>& lines) {
  const auto connection = connect(invocation.socketPath, kAnswerTimeoutSeconds);
  if (!connection) return 2;
  for (const std::string& line : lines) {
    const auto result = connection->request(invocation.json ? withJson(line) : line);
    if (!result.ok()) {
      std::fprintf(stderr, "sbcctl: %s\n", result.error.c_str());
      return 2;
    }
    std::fputs(result.text.c_str(), result.rc == 0 ? stdout : stderr);
    if (result.rc != 0) {
      if (lines.size() > 1) std::fprintf(stderr, "sbcctl: stopped at: %s\n", line.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "parse") == 0) return runParse(argc - 2, argv + 2);
  if (argc >= 2 && std::strcmp(argv[1], "check") == 0) return runCheck(argc - 2, argv + 2);
  Invocation invocation;
  if (!parseArguments(argc, argv, invocation)) return 2;
  if (!invocation.lineGiven && invocation.line.empty()) {
    if (isatty(STDIN_FILENO)) {
      const auto connection = connect(invocation.socketPath, 0);
      return connection ? sbc::control::runInteractiveShell(*connection) : 2;
    }
    const std::string script{std::istreambuf_iterator<char>(std::cin),
                             std::istreambuf_iterator<char>()};
    return runScript(invocation, sbc::control::splitCommandScript(script));
  }
  if (invocation.lineGiven)
    return runScript(invocation, sbc::control::splitCommandScript(invocation.line));
  if (invocation.json) invocation.line = withJson(invocation.line);
  const bool askedForHelp = invocation.line == "help";
  const sbc::control::CtlClientResult result = sbc::control::runRemoteCommand(
      invocation.socketPath, invocation.line, kAnswerTimeoutSeconds);
  if (!result.ok()) {
    std::fprintf(stderr, "sbcctl: %s\n", result.error.c_str());
    if (askedForHelp) std::fputs(kLocalCommands, stderr);
    return 2;
  }
  std::fputs(result.text.c_str(), result.rc == 0 ? stdout : stderr);
  if (askedForHelp && result.rc == 0) std::fputs(kLocalCommands, stdout);
  return result.rc == 0 ? 0 : 1;
}
