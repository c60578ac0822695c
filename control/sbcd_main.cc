// sbcd: the SBC daemon. Reads the configuration, starts the dataplane, and runs the control
// lcore's event loop: the control socket, the dataplane's housekeeping about every
// millisecond, and SIGINT/SIGTERM (through a signalfd, so no work happens in a handler).
//
//   sbcd -f CONFIG [-s SOCKET] [--pid-file FILE] [--exec FILE] [-- EAL ARGS...]
//
// --exec runs a file of CLI commands (`media session add ...`) after the ports are up and
// before the workers read the first packet: pcap golden tests and scripted labs need their
// sessions in place before traffic starts.
//
// Exit status: 0 after a clean stop, 1 bad usage or a system error (socket, pid file),
// 2 a bad configuration, 3 the dataplane did not start (Dataplane::start or run failed),
// 4 a command of the --exec file failed. "sbcd ready" on stdout means the
// control socket is served; scripts wait for that line.

#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "control/b2bua/sip_service.h"
#include "control/cli/command_reply.h"
#include "control/cli/command_table.h"
#include "control/cli/ctl_server.h"
#include "control/cli/help_cli.h"
#include "control/cli/shell_session.h"
#include "control/config/config_parser.h"
#include "control/dataplane_cli.h"
#include "control/firewall_cli.h"
#include "dataplane/dataplane.h"

namespace {

using sbc::control::CommandTable;
using sbc::control::CtlServer;
using sbc::control::RunningConfig;
using sbc::control::ShellSession;
using sbc::control::SipService;
using sbc::dataplane::Dataplane;

constexpr const char* kDefaultSocket = "/run/sbc/sbcd.sock";
constexpr int kPollIntervalMs = 1;

struct Options {
  std::string configPath;
  std::string socketPath;
  std::string pidFile;
  std::string execFile;
  std::vector<std::string> ealArgs;
};

void printUsage(FILE* to) {
  std::fprintf(to,
               "usage: sbcd -f CONFIG [-s SOCKET] [--pid-file FILE] [--exec FILE] [-- EAL ARGS...]\n"
               "SOCKET defaults to $SBC_SOCKET, else %s.\n",
               kDefaultSocket);
}

bool parseArguments(int argc, char** argv, Options& options) {
  const char* fromEnvironment = std::getenv("SBC_SOCKET");
  options.socketPath = fromEnvironment && *fromEnvironment ? fromEnvironment : kDefaultSocket;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      options.ealArgs.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg == "-h" || arg == "--help") {
      printUsage(stdout);
      std::exit(0);
    }
    const bool takesValue = arg == "-f" || arg == "-s" || arg == "--pid-file" || arg == "--exec";
    if (!takesValue || i + 1 >= argc) {
      std::fprintf(stderr, "sbcd: unknown option or missing value: %s\n", arg.c_str());
      printUsage(stderr);
      return false;
    }
    const std::string value = argv[++i];
    if (arg == "-f") options.configPath = value;
    else if (arg == "-s") options.socketPath = value;
    else if (arg == "--exec") options.execFile = value;
    else options.pidFile = value;
  }
  if (options.configPath.empty()) {
    printUsage(stderr);
    return false;
  }
  return true;
}

// The default socket lives in /run/sbc, which a fresh boot does not have.
void makeSocketDirectory(const std::string& socketPath) {
  const size_t slash = socketPath.rfind('/');
  if (slash == std::string::npos || slash == 0) return;
  const std::string directory = socketPath.substr(0, slash);
  if (mkdir(directory.c_str(), 0750) != 0 && errno != EEXIST)
    std::fprintf(stderr, "sbcd: mkdir %s: %s\n", directory.c_str(), std::strerror(errno));
}

bool writePidFile(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) {
    std::fprintf(stderr, "sbcd: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::fprintf(file, "%d\n", static_cast<int>(getpid()));
  std::fclose(file);
  return true;
}

// Runs each command line of `path` (blank lines and `!`/`#` comments skipped) in one shell
// session, so `configure` ... `commit` works there too; stops at the first that fails and
// names its line.
bool executeFile(ShellSession& commands, const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) {
    std::fprintf(stderr, "sbcd: cannot read %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  char buffer[4096];
  unsigned lineNumber = 0;
  bool ok = true;
  while (ok && std::fgets(buffer, sizeof buffer, file)) {
    ++lineNumber;
    std::string line(buffer);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '!' || line[first] == '#') continue;
    const auto out = commands.execute(line);
    if (!out.ok()) {
      std::fprintf(stderr, "sbcd: %s: line %u: %s\n", path.c_str(), lineNumber, out.error.c_str());
      ok = false;
    }
  }
  std::fclose(file);
  return ok;
}

// Blocks SIGINT and SIGTERM in this thread, before the EAL starts its own threads, so that
// every thread inherits the mask and the signals arrive only through the returned fd.
int blockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) return -1;
  return signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
}

// Until SIGINT or SIGTERM: serve the socket and SIP, run SIP's timers, and poll the dataplane
// about every millisecond.
bool runEventLoop(CtlServer& server, Dataplane& dataplane, SipService* sip, int signalFd) {
  const int epollFd = epoll_create1(EPOLL_CLOEXEC);
  if (epollFd < 0) {
    std::fprintf(stderr, "sbcd: epoll_create1: %s\n", std::strerror(errno));
    return false;
  }
  std::vector<int> fds{server.pollFd(), signalFd};
  if (sip) fds.push_back(sip->pollFd());
  for (int fd : fds) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, &event) != 0) {
      std::fprintf(stderr, "sbcd: epoll_ctl: %s\n", std::strerror(errno));
      close(epollFd);
      return false;
    }
  }
  std::printf("sbcd ready\n");
  std::fflush(stdout);
  bool running = true;
  while (running) {
    epoll_event events[4];
    const int count = epoll_wait(epollFd, events, 4, kPollIntervalMs);
    for (int i = 0; i < count; ++i) {
      if (sip && events[i].data.fd == sip->pollFd()) {
        sip->handleEvents();
      } else if (events[i].data.fd == signalFd) {
        signalfd_siginfo info;
        if (read(signalFd, &info, sizeof info) == sizeof info)
          std::fprintf(stderr, "sbcd: %s, stopping\n", strsignal(static_cast<int>(info.ssi_signo)));
        running = false;
      } else {
        server.handleEvents();
      }
    }
    if (sip) sip->runTimers();
    for (uint32_t id : dataplane.poll()) std::fprintf(stderr, "session %u idle\n", id);
  }
  if (sip) sip->shutdown();
  close(epollFd);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parseArguments(argc, argv, options)) return 1;
  signal(SIGPIPE, SIG_IGN);

  auto parsed = sbc::control::parseConfigFile(options.configPath);
  if (!parsed.ok()) {
    for (const auto& error : parsed.errors)
      std::fprintf(stderr, "sbcd: %s: %s\n", options.configPath.c_str(),
                   error.toString().c_str());
    return 2;
  }

  const int signalFd = blockStopSignals();
  if (signalFd < 0) {
    std::fprintf(stderr, "sbcd: signalfd: %s\n", std::strerror(errno));
    return 1;
  }

  // What `show running-config` prints and `configure` starts from; commits replace it.
  RunningConfig running{*parsed.config, parsed.sip, parsed.firewall, options.configPath, 0};

  // The socket comes first: a second sbcd fails here, before it touches any device. Nothing is
  // read from it before the loop runs, by which time the commands are in the table. Each
  // connection is a shell session of its own (mode, candidate configuration).
  CommandTable commands;
  std::unique_ptr<Dataplane> dataplane;
  makeSocketDirectory(options.socketPath);
  std::string error;
  auto server = CtlServer::openWithSessions(
      options.socketPath,
      [&running, &commands, &dataplane]() -> sbc::control::CtlLineHandler {
        auto session = std::make_shared<ShellSession>(running, commands, dataplane.get());
        return [session](std::string_view line) { return session->handle(line); };
      },
      error);
  if (!server) {
    std::fprintf(stderr, "sbcd: control socket: %s\n", error.c_str());
    return 1;
  }

  dataplane = Dataplane::start(*parsed.config, options.ealArgs, error);
  if (!dataplane) {
    std::fprintf(stderr, "sbcd: dataplane: %s\n", error.c_str());
    return 3;
  }
  // The startup firewall is in place before the first packet is read.
  if (sbc::dataplane::Status applied = dataplane->applyFirewall(sbc::control::firewallWithPinholes(
          running.firewall, running.sip, running.config));
      !applied.ok()) {
    std::fprintf(stderr, "sbcd: %s: firewall: %s\n", options.configPath.c_str(),
                 applied.error.c_str());
    dataplane->stop();
    return 2;
  }
  sbc::control::addDataplaneCommands(commands, *dataplane);
  sbc::control::addFirewallCommands(commands, *dataplane, running.firewall);
  sbc::control::addHelpCommand(commands);

  if (!options.pidFile.empty() && !writePidFile(options.pidFile)) {
    dataplane->stop();
    return 1;
  }
  ShellSession execSession(running, commands, dataplane.get());
  if (!options.execFile.empty() && !executeFile(execSession, options.execFile)) {
    dataplane->stop();
    if (!options.pidFile.empty()) unlink(options.pidFile.c_str());
    return 4;
  }
  if (sbc::dataplane::Status running = dataplane->run(); !running.ok()) {
    std::fprintf(stderr, "sbcd: dataplane: %s\n", running.error.c_str());
    dataplane->stop();
    if (!options.pidFile.empty()) unlink(options.pidFile.c_str());
    return 3;
  }
  // SIP comes up once the exception path's interfaces hold the SBC's addresses.
  std::unique_ptr<SipService> sip;
  if (parsed.sip.enabled()) {
    sip = SipService::start(parsed.sip, *parsed.config, *dataplane, error);
    if (!sip) {
      std::fprintf(stderr, "sbcd: sip: %s\n", error.c_str());
      dataplane->stop();
      if (!options.pidFile.empty()) unlink(options.pidFile.c_str());
      return 3;
    }
    sip->addCommands(commands);
  }
  const bool clean = runEventLoop(*server, *dataplane, sip.get(), signalFd);
  sip.reset();
  dataplane->stop();
  server.reset();
  if (!options.pidFile.empty()) unlink(options.pidFile.c_str());
  close(signalFd);
  return clean ? 0 : 1;
}
