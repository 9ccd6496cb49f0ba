// mini_redis::BufferedClient: see buffered_client.hpp.
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include <mini_redis/buffered_client.hpp>
#include <mini_redis/command.hpp>

#include <sluice/select.hpp>
#include <sluice/spawn.hpp>

#include "client_reply.hpp"

namespace mini_redis {

struct BufferedClient::Shared {
  Stats stats;
  std::mutex mu;
  std::optional<ClientError> failure;  // set once, by the manager, when the connection failed

  void fail(const ClientError& e) {
    std::lock_guard g(mu);
    if (!failure) failure = e;
  }
  /// Why a request could not be answered: the connection's failure, or the manager is gone.
  ClientError why_gone() {
    std::lock_guard g(mu);
    if (failure) return *failure;
    return ClientError::io(std::make_error_code(std::errc::connection_aborted));
  }
};

namespace {

using Request = BufferedClient::Request;
using Responder = sluice::oneshot::Sender<ClientResult<Frame>>;

/// The manager: owns the connection; see the top of buffered_client.hpp.
class Manager {
 public:
  Manager(Connection conn, sluice::mpsc::Receiver<Request> rx,
          std::shared_ptr<BufferedClient::Shared> shared, std::size_t max_in_flight)
      : conn_(std::move(conn)),
        rx_(std::move(rx)),
        shared_(std::move(shared)),
        max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight) {}

  sluice::Task<void> run() {
    std::optional<ClientError> failure;
    bool open = true;  // false once every handle is gone
    while (!failure) {
      if (in_flight_.empty()) {
        if (!open) break;
        std::optional<Request> first = co_await rx_.recv();
        if (!first) break;  // every handle dropped, nothing outstanding
        batch_.push_back(std::move(*first));
      } else if (open && in_flight_.size() < max_in_flight_) {
        // Both branches are cancel-safe: the loser loses nothing.
        auto either = sluice::select(conn_.read_frame(), rx_.recv());
        auto won = co_await either;
        if (won.index() == 0) {
          failure = on_reply(std::move(won).get<0>());
        } else {
          std::optional<Request> more = std::move(won).get<1>();
          if (more) {
            batch_.push_back(std::move(*more));
          } else {
            open = false;
          }
        }
      } else {
        FrameResult r = co_await conn_.read_frame();
        failure = on_reply(std::move(r));
      }
      if (!failure && !batch_.empty()) failure = co_await write_batch();
    }
    if (failure) {
      shared_->fail(*failure);
      for (Responder& r : in_flight_) (void)r.send(sluice::Err(*failure));
      in_flight_.clear();
      for (Request& req : batch_) (void)req.reply.send(sluice::Err(*failure));
      batch_.clear();
      // Later requests fail too: close the channel and answer what is already in it.
      rx_.close();
      for (;;) {
        std::optional<Request> late = co_await rx_.recv();
        if (!late) break;
        (void)late->reply.send(sluice::Err(*failure));
      }
    }
    shared_->stats.manager_exited.store(true);
  }

 private:
  /// Hands a reply to the oldest outstanding request, then any replies already buffered.
  /// Returns the connection's failure, if it failed.
  std::optional<ClientError> on_reply(FrameResult r) {
    for (;;) {
      if (!r) return ClientError::from(r.error());
      if (!r->has_value()) {
        if (!in_flight_.empty()) return ClientError::protocol("connection reset by server");
        return std::nullopt;  // buffered replies exhausted (try_read_buffered)
      }
      if (in_flight_.empty()) return detail::unexpected_frame(**r);
      Responder to = std::move(in_flight_.front());
      in_flight_.pop_front();
      (void)to.send(detail::to_reply(std::move(r)));  // requester gone: reply discarded
      if (in_flight_.empty()) return std::nullopt;
      r = conn_.try_read_buffered();
      if (r && !r->has_value()) return std::nullopt;  // nothing more buffered yet
    }
  }

  /// Queues the batch plus whatever else is already in the channel, then flushes once.
  sluice::Task<std::optional<ClientError>> write_batch() {
    while (in_flight_.size() + batch_.size() < max_in_flight_) {
      auto more = rx_.try_recv();
      if (!more) break;
      batch_.push_back(std::move(*more));
    }
    for (Request& req : batch_) {
      conn_.queue_frame(req.command);
      in_flight_.push_back(std::move(req.reply));
    }
    BufferedClient::Stats& st = shared_->stats;
    st.requests.fetch_add(batch_.size());
    batch_.clear();
    if (in_flight_.size() > st.max_in_flight.load()) st.max_in_flight.store(in_flight_.size());
    st.flushes.fetch_add(1);
    sluice::net::IoResult<void> w = co_await conn_.flush();
    if (!w) co_return std::optional<ClientError>(ClientError::io(w.error()));
    co_return std::optional<ClientError>();
  }

  Connection conn_;
  sluice::mpsc::Receiver<Request> rx_;
  std::shared_ptr<BufferedClient::Shared> shared_;
  std::size_t max_in_flight_;
  std::deque<Responder> in_flight_;  // replies owed, oldest first
  std::vector<Request> batch_;       // received, not yet written
};

sluice::Task<void> manage(Manager m) { co_await m.run(); }

}  // namespace

BufferedClient BufferedClient::start(Client client, Options options) {
  auto [tx, rx] = sluice::mpsc::channel<Request>(options.channel_capacity);
  auto shared = std::make_shared<Shared>();
  Manager m(std::move(client.connection()), std::move(rx), shared, options.max_in_flight);
  sluice::spawn(manage(std::move(m))).detach();
  return BufferedClient(std::move(tx), std::move(shared));
}

BufferedClient BufferedClient::start(Client client) { return start(std::move(client), Options{}); }

sluice::Task<ClientResult<BufferedClient>> BufferedClient::connect(std::string addr,
                                                                   Options options) {
  ClientResult<Client> c = co_await Client::connect(std::move(addr));
  if (!c) co_return sluice::Err(std::move(c).error());
  co_return start(std::move(*c), options);
}

sluice::Task<ClientResult<BufferedClient>> BufferedClient::connect(std::string addr) {
  ClientResult<BufferedClient> c = co_await connect(std::move(addr), Options{});
  co_return c;
}

sluice::Task<ClientResult<Frame>> BufferedClient::execute(Frame command) {
  auto [reply_tx, reply_rx] = sluice::oneshot::channel<ClientResult<Frame>>();
  Request req{std::move(command), std::move(reply_tx)};
  auto sent = co_await tx_.send(std::move(req));
  if (!sent) co_return sluice::Err(shared_->why_gone());
  auto reply = co_await std::move(reply_rx);
  if (!reply) co_return sluice::Err(shared_->why_gone());
  co_return std::move(*reply);
}

sluice::Task<ClientResult<std::optional<std::string>>> BufferedClient::get(std::string key) {
  Get cmd{std::move(key)};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_optional_string(std::move(*reply));
}

sluice::Task<ClientResult<void>> BufferedClient::set(std::string key, std::string value) {
  Set cmd{std::move(key), std::move(value), std::nullopt};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_ok(*reply);
}

sluice::Task<ClientResult<void>> BufferedClient::set_expires(std::string key, std::string value,
                                                             std::chrono::milliseconds expires) {
  Set cmd{std::move(key), std::move(value), expires};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_ok(*reply);
}

sluice::Task<ClientResult<std::int64_t>> BufferedClient::publish(std::string channel,
                                                                 std::string message) {
  Publish cmd{std::move(channel), std::move(message)};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_integer(*reply);
}

sluice::Task<ClientResult<std::string>> BufferedClient::ping(std::optional<std::string> message) {
  Ping cmd{std::move(message)};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_string(std::move(*reply));
}

std::size_t BufferedClient::max_in_flight() const noexcept {
  return shared_->stats.max_in_flight.load();
}

std::shared_ptr<const BufferedClient::Stats> BufferedClient::stats() const noexcept {
  return std::shared_ptr<const Stats>(shared_, &shared_->stats);
}

}  // namespace mini_redis
