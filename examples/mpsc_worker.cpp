// The worker pattern: a task owns a batch and reacts to Process / Flush / Shutdown jobs sent
// over a bounded channel. (The "Worker Pattern" example of the seeds, with sluice's API.)
#include <cstdio>
#include <string>
#include <vector>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>

namespace mpsc = sluice::mpsc;

struct Job {
  enum class Kind { Process, Flush, Shutdown };
  Kind kind;
  std::string data;  // for Process
};

void print_batch(const char* what, const std::vector<std::string>& batch) {
  std::printf("%s %zu: [", what, batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i)
    std::printf("%s\"%s\"", i ? ", " : "", batch[i].c_str());
  std::printf("]\n");
}

sluice::Task<> worker(mpsc::Receiver<Job> rx) {
  std::vector<std::string> batch;
  while (auto job = co_await rx.recv()) {
    switch (job->kind) {
      case Job::Kind::Process:
        batch.push_back(std::move(job->data));
        if (batch.size() >= 5) {
          print_batch("Auto-flushing batch of", batch);
          batch.clear();
        }
        break;
      case Job::Kind::Flush:
        if (!batch.empty()) {
          print_batch("Flushing batch of", batch);
          batch.clear();
        }
        break;
      case Job::Kind::Shutdown:
        if (!batch.empty()) print_batch("Final flush of", batch);
        std::printf("Worker shutting down\n");
        co_return;
    }
  }
}

sluice::Task<int> run() {
  auto [tx, rx] = mpsc::channel<Job>(100);
  auto worker_handle = sluice::spawn(worker(std::move(rx)));

  for (int i = 0; i < 12; ++i) {
    Job job{Job::Kind::Process,
            "item-" + std::to_string(i)};  // a named local, not a temporary in co_await
    if ((co_await tx.send(std::move(job))).is_err()) co_return 1;
  }
  Job flush{Job::Kind::Flush, {}};
  if ((co_await tx.send(std::move(flush))).is_err()) co_return 1;
  Job shutdown{Job::Kind::Shutdown, {}};
  if ((co_await tx.send(std::move(shutdown))).is_err()) co_return 1;

  auto joined = co_await std::move(worker_handle);
  co_return joined.has_value() ? 0 : 1;
}

int main() {
  auto rt = sluice::Runtime::current_thread();
  return rt.block_on(run());
}
