// Test support: child processes for integration tests (a real redis-server, redis-cli,
// redis-benchmark, our own mini-redis-server binary) and a free loopback port.
//
// Example:
//   auto redis = sluice::test::RedisServer::start();     // nullopt: redis-server not installed
//   ASSERT_TRUE(redis);
//   auto out = sluice::test::run_capture({"redis-cli", "-p", std::to_string(redis->port()),
//   "PING"}); EXPECT_EQ(out.output, "PONG\n");
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::test {

/// A loopback port nobody listens on right now (bind to port 0, read it, close).
inline std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = 0;
  (void)::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  socklen_t len = sizeof sin;
  (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return ntohs(sin.sin_port);
}

/// True when something accepts TCP connections on 127.0.0.1:port (blocking connect).
inline bool port_accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0;
  ::close(fd);
  return ok;
}

/// True when `program` is found on PATH.
inline bool on_path(const std::string& program) {
  std::string cmd = "command -v " + program + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;  // NOLINT(cert-env33-c): test-only
}

/// A child process; SIGTERM + wait when destroyed (unless already reaped).
class ChildProcess {
 public:
  /// fork + execvp(argv); stdout/stderr to /dev/null unless `quiet` is false.
  static std::optional<ChildProcess> spawn(const std::vector<std::string>& argv,
                                           bool quiet = true) {
    pid_t pid = ::fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
      if (quiet) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
      }
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    return ChildProcess(pid);
  }

  ChildProcess(ChildProcess&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  pid_t pid() const { return pid_; }

  /// Sends `sig`.
  void signal(int sig) const { ::kill(pid_, sig); }

  /// Waits for exit; returns the exit status (128 + signal when killed), or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        return -1;
      }
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

/// Waits until 127.0.0.1:port accepts connections (or `timeout`).
inline bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (port_accepts(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

/// A real redis-server on a free loopback port, no persistence; stopped when destroyed.
class RedisServer {
 public:
  /// nullopt when redis-server is not installed or does not come up within 10 s.
  static std::optional<RedisServer> start() {
    if (!on_path("redis-server")) return std::nullopt;
    std::uint16_t port = free_loopback_port();
    auto child = ChildProcess::spawn({"redis-server", "--port", std::to_string(port), "--bind",
                                      "127.0.0.1", "--save", "", "--appendonly", "no",
                                      "--daemonize", "no", "--protected-mode", "no"});
    if (!child) return std::nullopt;
    if (!wait_for_port(port, std::chrono::seconds(10))) return std::nullopt;
    return RedisServer(std::move(*child), port);
  }

  std::uint16_t port() const { return port_; }

 private:
  RedisServer(ChildProcess child, std::uint16_t port) : child_(std::move(child)), port_(port) {}
  ChildProcess child_;
  std::uint16_t port_;
};

/// Output and exit status of a finished command.
struct Captured {
  std::string output;  // stdout (and stderr with StderrTo::output)
  int status = -1;     // exit status
};

/// Where run_capture sends the child's stderr.
enum class StderrTo { null, output };

/// Runs argv to completion (stdin from /dev/null unless `input` is given), capturing stdout;
/// stderr goes to /dev/null, or into the same capture with StderrTo::output.
inline Captured run_capture(const std::vector<std::string>& argv, const std::string& input = {},
                            StderrTo stderr_to = StderrTo::null) {
  int out_pipe[2];
  int in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) < 0 || ::pipe2(in_pipe, O_CLOEXEC) < 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(in_pipe[0], 0);
    if (stderr_to == StderrTo::output) {
      ::dup2(out_pipe[1], 2);
    } else {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  std::thread feeder([&] {
    std::size_t off = 0;
    while (off < input.size()) {
      auto n = ::write(in_pipe[1], input.data() + off, input.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(in_pipe[1]);
  });
  Captured c;
  char buf[4096];
  for (;;) {
    auto n = ::read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    c.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out_pipe[0]);
  feeder.join();
  int status = 0;
  ::waitpid(pid, &status, 0);
  c.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return c;
}

}  // namespace sluice::test
