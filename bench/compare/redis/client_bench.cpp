// BufferedClient (the tutorial's manager task, pipelined) versus one Client behind an async
// Mutex (the design the tutorial warns against), T concurrent tasks on one connection each way.
//
//   mini_redis_client_bench --port P [--tasks 64] [--requests 200] [--rounds 5]
//   mini_redis_client_bench                    # no port: an in-process mini-redis server
//
// Each task does `requests` round trips (SET then GET of its own key, checking the value).
// Designs alternate (buffered, mutex, buffered, mutex, ...) for `rounds` rounds on a 2-worker
// runtime; prints one line per design with the median requests/s, then the ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <mini_redis/buffered_client.hpp>
#include <mini_redis/client.hpp>
#include <mini_redis/server.hpp>

#include <sluice/join_handle.hpp>
#include <sluice/net.hpp>
#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mutex.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

namespace {

struct Options {
  int port = 0;
  int tasks = 64;
  int requests = 200;
  int rounds = 5;
};

sluice::Task<bool> buffered_worker(mini_redis::BufferedClient c, int id, int requests) {
  for (int i = 0; i < requests / 2; ++i) {
    std::string key = "bench:" + std::to_string(id);
    std::string val = std::to_string(i);
    auto set = co_await c.set(key, val);
    if (!set) co_return false;
    auto got = co_await c.get(key);
    if (!got || !*got || **got != val) co_return false;
  }
  co_return true;
}

sluice::Task<bool> mutex_worker(std::shared_ptr<sluice::Mutex<mini_redis::Client>> m, int id,
                                int requests) {
  for (int i = 0; i < requests / 2; ++i) {
    std::string key = "bench:" + std::to_string(id);
    std::string val = std::to_string(i);
    {
      auto guard = co_await m->lock();
      auto set = co_await guard->set(key, val);
      if (!set) co_return false;
    }
    auto guard = co_await m->lock();
    auto got = co_await guard->get(key);
    if (!got || !*got || **got != val) co_return false;
  }
  co_return true;
}

template <class Make>
sluice::Task<double> timed(const Options& o, Make make) {
  auto start = std::chrono::steady_clock::now();
  std::vector<sluice::JoinHandle<bool>> hs;
  for (int t = 0; t < o.tasks; ++t) hs.push_back(sluice::spawn(make(t)));
  int ok = 0;
  for (auto& h : hs) {
    auto r = co_await std::move(h);
    if (r && *r) ++ok;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ok != o.tasks)
    std::fprintf(stderr, "client bench: %d/%d tasks failed\n", o.tasks - ok, o.tasks);
  co_return static_cast<double>(o.tasks) * (o.requests / 2 * 2) / secs;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

sluice::Task<int> bench(Options o) {
  std::string addr = "127.0.0.1:" + std::to_string(o.port);
  auto [stop_tx, stop_rx] = sluice::watch::channel<bool>(false);
  sluice::JoinHandle<sluice::net::IoResult<void>> server;
  if (o.port == 0) {
    auto listener = sluice::net::TcpListener::bind("127.0.0.1:0").value();
    addr = listener.local_addr()->to_string();
    server = sluice::spawn(mini_redis::run(std::move(listener), stop_rx));
  }
  auto buffered = co_await mini_redis::BufferedClient::connect(addr);
  auto plain = co_await mini_redis::Client::connect(addr);
  if (!buffered || !plain) {
    std::fprintf(stderr, "client bench: cannot connect to %s\n", addr.c_str());
    co_return 1;
  }
  auto mutex = std::make_shared<sluice::Mutex<mini_redis::Client>>(std::move(*plain));
  std::vector<double> b_rates, m_rates;
  for (int r = 0; r < o.rounds; ++r) {
    // Lambdas as locals: never a temporary inside a co_await expression (g++ 12 pitfall).
    auto make_buffered = [&](int t) { return buffered_worker(*buffered, t, o.requests); };
    auto make_mutex = [&](int t) { return mutex_worker(mutex, t, o.requests); };
    double b = co_await timed(o, make_buffered);
    double m = co_await timed(o, make_mutex);
    b_rates.push_back(b);
    m_rates.push_back(m);
  }
  double b = median(b_rates), m = median(m_rates);
  std::printf("RESULT buffered_pipelined %.0f\n", b);
  std::printf("RESULT mutex_client %.0f\n", m);
  std::printf("RATIO %.2f\n", b / m);
  if (server.valid()) {
    (void)stop_tx.send(true);
    (void)co_await std::move(server);
  }
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--port")
      o.port = v;
    else if (k == "--tasks")
      o.tasks = v;
    else if (k == "--requests")
      o.requests = v;
    else if (k == "--rounds")
      o.rounds = v;
    else {
      std::fprintf(stderr, "usage: %s [--port P] [--tasks T] [--requests N] [--rounds R]\n",
                   argv[0]);
      return 2;
    }
  }
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  return rt.block_on(bench(o));
}
