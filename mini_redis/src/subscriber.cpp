// mini_redis::Subscriber: see subscriber.hpp.
#include <algorithm>
#include <utility>

#include <mini_redis/command.hpp>
#include <mini_redis/subscriber.hpp>

#include "client_reply.hpp"

namespace mini_redis {

namespace {

/// What one pub/sub frame is: ["message", ch, content], ["subscribe", ch, n],
/// ["unsubscribe", ch-or-null, n], or something else.
struct PubSubFrame {
  enum class Kind { message, subscribe, unsubscribe, other } kind = Kind::other;
  std::string channel;  // empty for ["unsubscribe", null, 0]
  std::string content;  // for message
};

PubSubFrame classify(const Frame& f) {
  PubSubFrame out;
  if (!f.is_array()) return out;
  const auto& items = f.as_array();
  if (items.size() != 3 || !(items[0].is_bulk() || items[0].is_simple())) return out;
  const std::string& kind = items[0].as_string();
  const bool named = items[1].is_bulk() || items[1].is_simple();
  if (kind == "message" && named && (items[2].is_bulk() || items[2].is_simple())) {
    out.kind = PubSubFrame::Kind::message;
    out.channel = items[1].as_string();
    out.content = items[2].as_string();
  } else if (kind == "subscribe" && named && items[2].is_integer()) {
    out.kind = PubSubFrame::Kind::subscribe;
    out.channel = items[1].as_string();
  } else if (kind == "unsubscribe" && (named || items[1].is_null()) && items[2].is_integer()) {
    out.kind = PubSubFrame::Kind::unsubscribe;
    if (named) out.channel = items[1].as_string();
  }
  return out;
}

}  // namespace

sluice::Task<ClientResult<void>> Subscriber::do_subscribe(std::vector<std::string> channels) {
  if (channels.empty()) co_return sluice::Err(ClientError::protocol("no channel to subscribe to"));
  Subscribe cmd{channels};
  sluice::net::IoResult<void> w = co_await client_.conn_.write_frame(cmd.to_frame());
  if (!w) co_return sluice::Err(ClientError::io(w.error()));
  // Redis confirms each channel, in the order given; messages on channels already subscribed
  // may come first.
  std::size_t confirmed = 0;
  while (confirmed < channels.size()) {
    ClientResult<Frame> reply = co_await client_.read_response();
    if (!reply) co_return sluice::Err(std::move(reply).error());
    PubSubFrame pf = classify(*reply);
    if (pf.kind == PubSubFrame::Kind::message) {
      pending_.push_back(Message{std::move(pf.channel), std::move(pf.content)});
      continue;
    }
    if (pf.kind != PubSubFrame::Kind::subscribe || pf.channel != channels[confirmed])
      co_return sluice::Err(detail::unexpected_frame(*reply));
    if (std::find(channels_.begin(), channels_.end(), pf.channel) == channels_.end())
      channels_.push_back(std::move(pf.channel));
    ++confirmed;
  }
  co_return ClientResult<void>();
}

sluice::Task<ClientResult<void>> Subscriber::subscribe(std::vector<std::string> channels) {
  ClientResult<void> r = co_await do_subscribe(std::move(channels));
  co_return r;
}

sluice::Task<ClientResult<void>> Subscriber::unsubscribe(std::vector<std::string> channels) {
  // One confirmation per named channel; with no names, one per subscribed channel (Redis
  // answers a single ["unsubscribe", null, 0] when there is none).
  const std::size_t expected =
      channels.empty() ? std::max<std::size_t>(1, channels_.size()) : channels.size();
  Unsubscribe cmd{channels};
  sluice::net::IoResult<void> w = co_await client_.conn_.write_frame(cmd.to_frame());
  if (!w) co_return sluice::Err(ClientError::io(w.error()));
  std::size_t confirmed = 0;
  while (confirmed < expected) {
    ClientResult<Frame> reply = co_await client_.read_response();
    if (!reply) co_return sluice::Err(std::move(reply).error());
    PubSubFrame pf = classify(*reply);
    if (pf.kind == PubSubFrame::Kind::message) {
      pending_.push_back(Message{std::move(pf.channel), std::move(pf.content)});
      continue;
    }
    if (pf.kind != PubSubFrame::Kind::unsubscribe)
      co_return sluice::Err(detail::unexpected_frame(*reply));
    if (!channels.empty() &&
        std::find(channels.begin(), channels.end(), pf.channel) == channels.end())
      co_return sluice::Err(detail::unexpected_frame(*reply));
    std::erase(channels_, pf.channel);
    ++confirmed;
    if (channels.empty() && channels_.empty()) break;  // all gone (also the null reply)
  }
  co_return ClientResult<void>();
}

sluice::Task<ClientResult<std::optional<Message>>> Subscriber::next_message() {
  if (!pending_.empty()) {
    Message m = std::move(pending_.front());
    pending_.pop_front();
    co_return std::optional<Message>(std::move(m));
  }
  FrameResult r = co_await client_.conn_.read_frame();
  if (!r) co_return sluice::Err(ClientError::from(r.error()));
  if (!r->has_value()) co_return std::optional<Message>();
  Frame f = std::move(**r);
  if (f.is_error()) co_return sluice::Err(ClientError::server(std::move(f).into_string()));
  PubSubFrame pf = classify(f);
  if (pf.kind != PubSubFrame::Kind::message) co_return sluice::Err(detail::unexpected_frame(f));
  co_return std::optional<Message>(Message{std::move(pf.channel), std::move(pf.content)});
}

}  // namespace mini_redis
