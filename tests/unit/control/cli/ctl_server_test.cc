#include "control/cli/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "control/cli/ctl_client.h"

namespace sbc::control {
namespace {

constexpr size_t kBigAnswerBytes = 1 << 20;

// Echoes the line; "fail" fails, "big" answers with 1 MiB, "binary" reports the length.
CtlReply echo(std::string_view line) {
  if (line == "fail") return {"it failed", 1};
  if (line == "big") return {std::string(kBigAnswerBytes - 1, 'b') + "\n", 0};
  if (line.find('\0') != std::string_view::npos)
    return {"binary line of " + std::to_string(line.size()) + " bytes", 0};
  return {"you said: " + std::string(line), 0};
}

class CtlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/ctl_server_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    dir_ = pattern;
    path_ = dir_ + "/sbcd.sock";
  }

  void TearDown() override {
    for (int fd : clients_) close(fd);
    server_.reset();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  void startServer(CtlServer::Limits limits = {}) {
    std::string error;
    server_ = CtlServer::open(path_, echo, limits, error);
    ASSERT_TRUE(server_) << error;
  }

  // Runs the server until it has nothing left that it can do now.
  void pump() {
    for (int i = 0; i < 1000; ++i) {
      pollfd p{server_->pollFd(), POLLIN, 0};
      if (poll(&p, 1, 0) <= 0) return;
      server_->handleEvents();
    }
    FAIL() << "server never went idle";
  }

  int connectClient() {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.data(), path_.size());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
        << std::strerror(errno);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    clients_.push_back(fd);
    return fd;
  }

  // Sends everything, letting the server read whenever the socket is full.
  void sendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else {
        ASSERT_EQ(errno, EAGAIN) << std::strerror(errno);
        pump();
      }
    }
    pump();
  }

  // What has arrived on `fd`; sets `closed` when the server hung up.
  std::string readAvailable(int fd, bool* closed = nullptr) {
    std::string data;
    char buffer[65536];
    while (true) {
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        data.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (closed) *closed = n == 0;
      return data;
    }
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<CtlServer> server_;
  std::vector<int> clients_;
};

TEST_F(CtlServerTest, AnswersLinesAndKeepsTheConnectionOpen) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, "hello\n");
  EXPECT_EQ(readAvailable(fd), "you said: hello\n%% rc=0\n");
  sendAll(fd, "fail\n");
  bool closed = true;
  EXPECT_EQ(readAvailable(fd, &closed), "it failed\n%% rc=1\n");
  EXPECT_FALSE(closed);
  EXPECT_EQ(server_->clientCount(), 1u);
}

TEST_F(CtlServerTest, CreatesTheSocketWithMode0660AndRemovesIt) {
  startServer();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  server_.reset();
  EXPECT_NE(stat(path_.c_str(), &st), 0);
}

TEST_F(CtlServerTest, ReplacesAStaleSocketFile) {
  const int old = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path_.data(), path_.size());
  ASSERT_EQ(bind(old, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  close(old);  // the file stays, nobody listens: what a crashed sbcd leaves
  startServer();
  const int fd = connectClient();
  sendAll(fd, "hi\n");
  EXPECT_EQ(readAvailable(fd), "you said: hi\n%% rc=0\n");
}

TEST_F(CtlServerTest, RefusesAPathWhereAnotherServerListens) {
  startServer();
  std::string error;
  EXPECT_EQ(CtlServer::open(path_, echo, error), nullptr);
  EXPECT_EQ(error, path_ + ": another server is listening there");
}

TEST_F(CtlServerTest, NeverRemovesAFileThatIsNotASocket) {
  std::ofstream(path_) << "precious\n";
  std::string error;
  EXPECT_EQ(CtlServer::open(path_, echo, error), nullptr);
  EXPECT_EQ(error, path_ + ": exists and is not a socket");
  std::ifstream file(path_);
  std::string contents;
  std::getline(file, contents);
  EXPECT_EQ(contents, "precious");
}

TEST_F(CtlServerTest, JoinsALineThatArrivesInPieces) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, "hel");
  EXPECT_EQ(readAvailable(fd), "");
  sendAll(fd, "lo wor");
  EXPECT_EQ(readAvailable(fd), "");
  sendAll(fd, "ld\r\n");
  EXPECT_EQ(readAvailable(fd), "you said: hello world\n%% rc=0\n");
}

TEST_F(CtlServerTest, AnswersPipelinedLinesInOrder) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, "one\ntwo\n\nthree\n");
  EXPECT_EQ(readAvailable(fd),
            "you said: one\n%% rc=0\nyou said: two\n%% rc=0\nyou said: \n%% rc=0\n"
            "you said: three\n%% rc=0\n");
}

TEST_F(CtlServerTest, ServesManyClientsAtOnce) {
  startServer();
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) fds.push_back(connectClient());
  for (int i = 19; i >= 0; --i) sendAll(fds[i], "client " + std::to_string(i) + "\n");
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(readAvailable(fds[i]), "you said: client " + std::to_string(i) + "\n%% rc=0\n");
  EXPECT_EQ(server_->clientCount(), 20u);
}

TEST_F(CtlServerTest, PassesGarbageBytesThroughToTheHandler) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, std::string_view("\x00\xff\x01garbage\n", 11));
  EXPECT_EQ(readAvailable(fd), "binary line of 10 bytes\n%% rc=0\n");
}

TEST_F(CtlServerTest, AcceptsALineOfExactlyTheLimit) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, std::string(kMaxCommandLineBytes, 'x') + "\n");
  std::string answer;
  for (int i = 0; i < 100 && !answer.ends_with("%% rc=0\n"); ++i) {
    answer += readAvailable(fd);
    pump();
  }
  EXPECT_EQ(answer, "you said: " + std::string(kMaxCommandLineBytes, 'x') + "\n%% rc=0\n");
}

TEST_F(CtlServerTest, RefusesAnOverlongLineAndHangsUp) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, std::string(kMaxCommandLineBytes + 1, 'x'));
  bool closed = false;
  EXPECT_EQ(readAvailable(fd, &closed), "% line too long (more than 65536 bytes)\n%% rc=1\n");
  EXPECT_TRUE(closed);
  EXPECT_EQ(server_->clientCount(), 0u);
}

TEST_F(CtlServerTest, RunsAnUnterminatedLastLineWhenTheClientStopsSending) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, "last words");
  EXPECT_EQ(readAvailable(fd), "");
  shutdown(fd, SHUT_WR);
  pump();
  bool closed = false;
  EXPECT_EQ(readAvailable(fd, &closed), "you said: last words\n%% rc=0\n");
  EXPECT_TRUE(closed);
}

TEST_F(CtlServerTest, WaitsForASlowReaderWithoutBlocking) {
  startServer();
  const int slow = connectClient();
  const int other = connectClient();
  sendAll(slow, "big\nhello\n");
  // The slow client reads nothing yet; the server must still serve others.
  sendAll(other, "meanwhile\n");
  EXPECT_EQ(readAvailable(other), "you said: meanwhile\n%% rc=0\n");
  std::string answer;
  const std::string expected = std::string(kBigAnswerBytes - 1, 'b') + "\n%% rc=0\n" +
                               "you said: hello\n%% rc=0\n";
  for (int i = 0; i < 10000 && answer.size() < expected.size(); ++i) {
    answer += readAvailable(slow);
    pump();
  }
  EXPECT_TRUE(answer == expected) << "got " << answer.size() << " bytes";
}

TEST_F(CtlServerTest, ForgetsAClientThatHangsUpMidAnswer) {
  startServer();
  const int fd = connectClient();
  sendAll(fd, "big\n");
  close(fd);
  clients_.clear();
  pump();
  EXPECT_EQ(server_->clientCount(), 0u);
  const int next = connectClient();
  sendAll(next, "still here\n");
  EXPECT_EQ(readAvailable(next), "you said: still here\n%% rc=0\n");
}

TEST_F(CtlServerTest, TurnsAwayClientsOverTheLimit) {
  startServer({.maxClients = 2});
  connectClient();
  connectClient();
  const int third = connectClient();
  pump();
  bool closed = false;
  EXPECT_EQ(readAvailable(third, &closed), "% too many control connections\n%% rc=1\n");
  EXPECT_TRUE(closed);
  EXPECT_EQ(server_->clientCount(), 2u);
}

TEST_F(CtlServerTest, ClientRunsACommandEndToEnd) {
  startServer();
  CtlClientResult result;
  std::atomic<bool> done = false;
  std::thread client([&] {
    result = runRemoteCommand(path_, "%% rc=0 is not a status", 10);
    done = true;
  });
  // Serve until the client has its answer; poll() waits for work, it is not a timer.
  while (!done) {
    pollfd p{server_->pollFd(), POLLIN, 0};
    if (poll(&p, 1, 100) > 0) server_->handleEvents();
  }
  client.join();
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.text, "you said: %% rc=0 is not a status\n");
  EXPECT_EQ(result.rc, 0);
}

TEST_F(CtlServerTest, ClientSaysWhenNoServerRuns) {
  const CtlClientResult result = runRemoteCommand(path_, "show drops");
  EXPECT_EQ(result.error,
            "cannot connect to " + path_ + ": No such file or directory (is sbcd running?)");
  EXPECT_EQ(runRemoteCommand(path_, "two\nlines").error, "the command must be one line");
}

}  // namespace
}  // namespace sbc::control
