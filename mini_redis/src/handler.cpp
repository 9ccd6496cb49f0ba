// The per-connection loop: read a request (or notice the shutdown), answer it and every request
// already buffered behind it, flush the replies once. In subscribe mode (at least one channel
// subscribed) the loop also waits for messages published on the subscribed channels.
//
// Subscriptions: one forwarding task per subscribed channel receives from the Db's broadcast
// channel and pushes (channel, subscription id, message) into a bounded mpsc the connection
// selects on. UNSUBSCRIBE aborts the forwarder; a message it had already pushed is dropped
// because its subscription id no longer matches the connection's table. A forwarder that falls
// behind (a client that does not read) waits on the full mpsc, lags on the broadcast channel and
// skips the lost messages, as mini-redis does.
#include "handler.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <mini_redis/command.hpp>
#include <mini_redis/connection.hpp>
#include <mini_redis/frame.hpp>

#include <sluice/join_handle.hpp>
#include <sluice/select.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/timeout.hpp>

#include "apply.hpp"
#include "shutdown.hpp"

namespace mini_redis::detail {
namespace {

// Replies queued beyond this many bytes are flushed before more buffered requests are read.
constexpr std::size_t kMaxBatchBytes = 256 * 1024;
// Messages moved from the forwarders' mpsc into one write.
constexpr int kMaxMessagesPerBatch = 64;
// Capacity of the mpsc between the forwarders and the connection.
constexpr std::size_t kMessageQueue = 128;
// After a shutdown, how long a client that does not read gets to take its last replies.
constexpr std::chrono::milliseconds kShutdownFlushGrace{1000};

struct Message {
  std::string channel;
  std::uint64_t subscription = 0;
  std::string payload;
};

sluice::Task<void> forward(sluice::broadcast::Receiver<std::string> rx, std::string channel,
                           std::uint64_t subscription, sluice::mpsc::Sender<Message> tx) {
  for (;;) {
    auto received = co_await rx.recv();
    if (!received) {
      if (received.error().is_lagged()) continue;  // skip what was lost, as mini-redis does
      co_return;
    }
    Message m{channel, subscription, std::move(*received)};
    auto sent = co_await tx.send(std::move(m));
    if (!sent) co_return;  // the connection is gone
  }
}

Frame bulk_array(std::string_view kind, const std::string& channel, std::int64_t n) {
  std::vector<Frame> items;
  items.push_back(Frame::bulk(std::string(kind)));
  items.push_back(Frame::bulk(channel));
  items.push_back(Frame::integer(n));
  return Frame::array(std::move(items));
}

class Handler {
 public:
  Handler(sluice::net::TcpStream stream, Db db, sluice::watch::Receiver<bool> shutdown)
      : Handler(std::move(stream), std::move(db), std::move(shutdown),
                sluice::mpsc::channel<Message>(kMessageQueue)) {}

  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  ~Handler() {
    for (auto& [name, sub] : subs_) sub.forwarder.abort();
  }

  sluice::Task<void> run();

 private:
  enum class Next { keep, close };

  struct Subscription {
    std::uint64_t id;
    sluice::JoinHandle<void> forwarder;
  };

  Handler(sluice::net::TcpStream stream, Db db, sluice::watch::Receiver<bool> shutdown,
          sluice::mpsc::Channel<Message> messages)
      : conn_(std::move(stream)),
        db_(std::move(db)),
        shutdown_(std::move(shutdown)),
        msg_tx_(std::move(messages.tx)),
        msg_rx_(std::move(messages.rx)) {}

  Next on_read(FrameResult read);
  Next process(Frame request);
  void subscribe(const std::vector<std::string>& channels);
  void unsubscribe(std::vector<std::string> channels);
  void on_message(Message m);
  void queue_connection_error(const ConnectionError& e);
  sluice::Task<bool> flush();

  Connection conn_;
  Db db_;
  sluice::watch::Receiver<bool> shutdown_;
  sluice::mpsc::Sender<Message> msg_tx_;
  sluice::mpsc::Receiver<Message> msg_rx_;
  std::map<std::string, Subscription> subs_;
  std::uint64_t next_subscription_ = 0;
};

sluice::Task<void> Handler::run() {
  for (;;) {
    Next next = Next::keep;
    if (subs_.empty()) {
      auto fut = sluice::select_biased(shutdown_requested(shutdown_), conn_.read_frame());
      auto sel = co_await fut;
      if (sel.index() == 0) co_return;
      next = on_read(std::move(sel).get<1>());
    } else {
      auto fut =
          sluice::select_biased(shutdown_requested(shutdown_), conn_.read_frame(), msg_rx_.recv());
      auto sel = co_await fut;
      if (sel.index() == 0) co_return;
      if (sel.index() == 1) {
        next = on_read(std::move(sel).get<1>());
      } else {
        std::optional<Message> m = std::move(sel).get<2>();
        if (m) on_message(std::move(*m));
        for (int i = 0; i < kMaxMessagesPerBatch; ++i) {
          auto more = msg_rx_.try_recv();
          if (!more) break;
          on_message(std::move(*more));
        }
      }
    }
    const bool flushed = co_await flush();
    if (!flushed || next == Next::close) co_return;
  }
}

void Handler::queue_connection_error(const ConnectionError& e) {
  if (e.kind() == ConnectionError::Kind::protocol)
    conn_.queue_frame(protocol_error_reply(e.message()));
}

Handler::Next Handler::on_read(FrameResult read) {
  if (!read) {
    queue_connection_error(read.error());
    return Next::close;
  }
  if (!read->has_value()) return Next::close;  // the client left
  Next next = process(std::move(**read));
  // Pipelining: answer every request already buffered, then flush once.
  while (next == Next::keep && conn_.queued_bytes() < kMaxBatchBytes) {
    FrameResult more = conn_.try_read_buffered();
    if (!more) {
      queue_connection_error(more.error());
      return Next::close;
    }
    if (!more->has_value()) break;
    next = process(std::move(**more));
  }
  return next;
}

Handler::Next Handler::process(Frame request) {
  const std::string name = command_name(request);
  const bool subscribed = !subs_.empty();
  auto cant_execute = [&] {
    conn_.queue_frame(Frame::error(
        "ERR Can't execute '" + name +
        "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
        "context"));
  };
  if (name == "quit") {
    conn_.queue_frame(Frame::simple("OK"));
    return Next::close;
  }
  if (auto reply = housekeeping_reply(name, request)) {
    if (subscribed) {
      cant_execute();
    } else {
      conn_.queue_frame(*reply);
    }
    return Next::keep;
  }
  auto parsed = Command::from_frame(std::move(request));
  if (!parsed) {
    conn_.queue_frame(parsed.error().to_frame());
    return Next::keep;
  }
  Command& cmd = *parsed;
  if (auto* s = cmd.get_if<Subscribe>()) {
    subscribe(s->channels);
  } else if (auto* u = cmd.get_if<Unsubscribe>()) {
    unsubscribe(std::move(u->channels));
  } else if (subscribed && cmd.is<Ping>()) {
    // In subscribe mode Redis answers PING with a ["pong", message] array.
    std::vector<Frame> items;
    items.push_back(Frame::bulk("pong"));
    items.push_back(Frame::bulk(cmd.get_if<Ping>()->message.value_or("")));
    conn_.queue_frame(Frame::array(std::move(items)));
  } else if (subscribed && !cmd.is<Unknown>()) {
    cant_execute();
  } else {
    conn_.queue_frame(apply(std::move(cmd), db_));
  }
  return Next::keep;
}

void Handler::subscribe(const std::vector<std::string>& channels) {
  for (const std::string& channel : channels) {
    if (!subs_.contains(channel)) {
      // Subscribing here, before the reply is written, means every PUBLISH the client can
      // order after seeing the reply reaches it.
      auto rx = db_.subscribe(channel);
      const std::uint64_t id = next_subscription_++;
      auto task = forward(std::move(rx), channel, id, msg_tx_);
      auto handle = sluice::spawn(std::move(task));
      subs_.emplace(channel, Subscription{id, std::move(handle)});
    }
    conn_.queue_frame(bulk_array("subscribe", channel, static_cast<std::int64_t>(subs_.size())));
  }
}

void Handler::unsubscribe(std::vector<std::string> channels) {
  if (channels.empty()) {
    for (const auto& [name, sub] : subs_) channels.push_back(name);
    if (channels.empty()) {
      std::vector<Frame> items;
      items.push_back(Frame::bulk("unsubscribe"));
      items.push_back(Frame::null());
      items.push_back(Frame::integer(0));
      conn_.queue_frame(Frame::array(std::move(items)));
      return;
    }
  }
  for (const std::string& channel : channels) {
    auto it = subs_.find(channel);
    if (it != subs_.end()) {
      it->second.forwarder.abort();
      subs_.erase(it);
    }
    conn_.queue_frame(bulk_array("unsubscribe", channel, static_cast<std::int64_t>(subs_.size())));
  }
}

void Handler::on_message(Message m) {
  auto it = subs_.find(m.channel);
  if (it == subs_.end() || it->second.id != m.subscription) return;  // unsubscribed since
  std::vector<Frame> items;
  items.push_back(Frame::bulk("message"));
  items.push_back(Frame::bulk(std::move(m.channel)));
  items.push_back(Frame::bulk(std::move(m.payload)));
  conn_.queue_frame(Frame::array(std::move(items)));
}

sluice::Task<bool> Handler::flush() {
  if (conn_.queued_bytes() == 0) co_return true;
  auto fut = sluice::select_biased(conn_.flush(), shutdown_requested(shutdown_));
  auto sel = co_await fut;
  if (sel.index() == 0) {
    const bool ok = std::move(sel).get<0>().has_value();
    co_return ok;
  }
  // Shutting down while the client is not taking its replies: a moment's grace, then give up.
  // Connection::flush is cancel safe (written bytes are removed as they go), so it resumes.
  auto last = sluice::timeout(kShutdownFlushGrace, conn_.flush());
  auto finished = co_await last;
  (void)finished;
  co_return false;
}

}  // namespace

sluice::Task<void> serve_connection(sluice::net::TcpStream stream, Db db,
                                    sluice::watch::Receiver<bool> shutdown,
                                    sluice::mpsc::Sender<bool> done,
                                    sluice::OwnedSemaphorePermit permit) {
  {
    // Moved into this scope so that they are released when the connection ends, before the
    // task's frame is freed.
    sluice::OwnedSemaphorePermit held = std::move(permit);
    sluice::mpsc::Sender<bool> running = std::move(done);
    Handler handler(std::move(stream), std::move(db), std::move(shutdown));
    co_await handler.run();
  }
}

}  // namespace mini_redis::detail
