// Internal: turning reply frames into the typed results of Client and BufferedClient, so both
// agree on what counts as a good reply. Not installed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <mini_redis/client_error.hpp>
#include <mini_redis/frame.hpp>

namespace mini_redis::detail {

/// A protocol error naming the frame that was not expected.
inline ClientError unexpected_frame(const Frame& f) {
  return ClientError::protocol("unexpected frame: " + f.to_string());
}

/// A read result as a reply: an error frame becomes server, end of stream becomes protocol.
inline ClientResult<Frame> to_reply(FrameResult r) {
  if (!r) return sluice::Err(ClientError::from(r.error()));
  if (!r->has_value()) return sluice::Err(ClientError::protocol("connection reset by server"));
  Frame f = std::move(**r);
  if (f.is_error()) return sluice::Err(ClientError::server(std::move(f).into_string()));
  return f;
}

/// PING: a simple or bulk string.
inline ClientResult<std::string> decode_string(Frame f) {
  if (f.is_simple() || f.is_bulk()) return std::move(f).into_string();
  return sluice::Err(unexpected_frame(f));
}

/// GET: a string, or null.
inline ClientResult<std::optional<std::string>> decode_optional_string(Frame f) {
  if (f.is_null()) return std::optional<std::string>();
  if (f.is_simple() || f.is_bulk()) return std::optional<std::string>(std::move(f).into_string());
  return sluice::Err(unexpected_frame(f));
}

/// SET: +OK.
inline ClientResult<void> decode_ok(const Frame& f) {
  if (f.is_simple() && f.as_string() == "OK") return {};
  return sluice::Err(unexpected_frame(f));
}

/// PUBLISH: an integer.
inline ClientResult<std::int64_t> decode_integer(const Frame& f) {
  if (f.is_integer()) return f.as_integer();
  return sluice::Err(unexpected_frame(f));
}

}  // namespace mini_redis::detail
