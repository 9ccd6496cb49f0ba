// mini-redis-server: serves the mini-redis subset of Redis (PING, GET, SET, PUBLISH, SUBSCRIBE,
// UNSUBSCRIBE) with mini_redis::run on a multi-thread sluice runtime.
//
//   mini-redis-server [--port N] [--bind ADDR] [--max-connections N]
//
// Defaults: port 6379, bind 127.0.0.1, 250 connections. Prints
// "mini-redis-server listening on ADDR:PORT" once listening. SIGINT / SIGTERM shut it down
// gracefully (every connection finishes its current request) and it exits with 0. Bad
// arguments: usage on stderr, exit 2. Cannot listen, or accepting failed for good: exit 1.
//
// Signals: SIGINT and SIGTERM are blocked in main before the runtime starts, so every runtime
// worker inherits the mask; a plain std::thread takes them with sigwait() and sets the watch
// channel that run() watches.
//
// Example:
//   $ mini-redis-server --port 6380 &
//   $ redis-cli -p 6380 set hello world
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <mini_redis/server.hpp>

#include <sluice/net/tcp_listener.hpp>
#include <sluice/runtime.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

namespace {

struct Options {
  std::uint16_t port = 6379;
  std::string bind = "127.0.0.1";
  std::size_t max_connections = 250;
};

void usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--port N] [--bind ADDR] [--max-connections N]\n", argv0);
}

template <class N>
bool parse_number(std::string_view text, N& out, N min) {
  N v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min) return false;
  out = v;
  return true;
}

// nullopt: print the usage and exit 2.
std::optional<Options> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return std::nullopt;  // every option takes a value
    const std::string_view value = argv[++i];
    if (arg == "--port") {
      if (!parse_number<std::uint16_t>(value, o.port, 0)) return std::nullopt;
    } else if (arg == "--bind") {
      if (value.empty()) return std::nullopt;
      o.bind = std::string(value);
    } else if (arg == "--max-connections") {
      if (!parse_number<std::size_t>(value, o.max_connections, 1)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  return o;
}

std::string listen_text(const Options& o) {
  const std::string host = o.bind.find(':') != std::string::npos ? "[" + o.bind + "]" : o.bind;
  return host + ":" + std::to_string(o.port);
}

sluice::Task<int> serve(Options options, sluice::watch::Receiver<bool> shutdown) {
  auto listener = sluice::net::TcpListener::bind(listen_text(options));
  if (!listener) {
    std::fprintf(stderr, "mini-redis-server: cannot listen on %s: %s\n",
                 listen_text(options).c_str(), listener.error().message().c_str());
    co_return 1;
  }
  auto local = listener->local_addr();
  std::printf("mini-redis-server listening on %s\n",
              local ? local->to_string().c_str() : listen_text(options).c_str());
  std::fflush(stdout);
  mini_redis::ServerConfig config;
  config.max_connections = options.max_connections;
  auto server = mini_redis::run(std::move(*listener), std::move(shutdown), config);
  sluice::net::IoResult<void> result = co_await server;
  co_return result ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> options = parse_args(argc, argv);
  if (!options) {
    usage(argv[0]);
    return 2;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (int err = pthread_sigmask(SIG_BLOCK, &signals, nullptr); err != 0) {
    std::fprintf(stderr, "mini-redis-server: pthread_sigmask: %s\n", std::strerror(err));
    return 1;
  }

  auto [shutdown_tx, shutdown_rx] = sluice::watch::channel<bool>(false);
  std::atomic<bool> signalled{false};
  std::thread signal_thread([&signals, &signalled, tx = std::move(shutdown_tx)]() mutable {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled.store(true);
    (void)tx.send(true);
  });

  int code = 0;
  {
    sluice::Runtime rt = sluice::Runtime::multi_thread();
    auto main_task = serve(std::move(*options), std::move(shutdown_rx));
    code = rt.block_on(std::move(main_task));
  }

  // The server stopped without a signal (it could not listen): wake the signal thread.
  if (!signalled.load()) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  return code;
}
