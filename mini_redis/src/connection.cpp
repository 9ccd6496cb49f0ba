// Connection: see mini_redis/include/mini_redis/connection.hpp.
#include <string_view>
#include <utility>

#include <mini_redis/connection.hpp>

namespace mini_redis {

std::string ConnectionError::message() const {
  switch (kind_) {
    case Kind::io:
      return io_.message();
    case Kind::protocol:
      return frame_.message();
    case Kind::reset:
      return "connection reset by peer";
  }
  return "connection error";
}

Connection::Connection(sluice::net::TcpStream stream, ParserOptions options)
    : stream_(std::move(stream)), parser_(options) {}

FrameResult Connection::try_read_buffered() {
  std::string_view pending(in_);
  pending.remove_prefix(in_start_);
  if (pending.empty()) return std::optional<Frame>();
  auto parsed = parser_.parse(pending);
  if (!parsed) {
    if (parsed.error().is_incomplete()) return std::optional<Frame>();
    return sluice::Err(ConnectionError::protocol(parsed.error()));
  }
  in_start_ += parsed->consumed;
  if (in_start_ == in_.size()) {  // everything consumed: reuse the buffer from its start
    in_.clear();
    in_start_ = 0;
  }
  return std::optional<Frame>(std::move(parsed->frame));
}

sluice::Task<FrameResult> Connection::read_frame() {
  for (;;) {
    FrameResult buffered = try_read_buffered();
    if (!buffered || buffered->has_value()) co_return buffered;
    // Need more bytes. Drop the consumed prefix first (the parser sees the same pending bytes,
    // so its resume point stays valid), then append what one read returns.
    if (in_start_ > 0) {
      in_.erase(0, in_start_);
      in_start_ = 0;
    }
    sluice::net::IoResult<std::size_t> n = co_await stream_.read_buf(in_);
    if (!n) co_return sluice::Err(ConnectionError::io(n.error()));
    if (*n == 0) {
      if (in_.empty()) co_return std::optional<Frame>();  // clean close between frames
      co_return sluice::Err(ConnectionError::reset());
    }
  }
}

sluice::Task<sluice::net::IoResult<void>> Connection::flush() {
  while (!out_.empty()) {
    sluice::net::IoResult<std::size_t> n = co_await stream_.write(out_);
    if (!n) co_return sluice::Err(n.error());
    // Drop what was written right away: if this flush is cancelled at the next write, the
    // buffer holds exactly the bytes not sent yet (nothing is sent twice).
    out_.erase(0, *n);
  }
  co_return sluice::net::IoResult<void>();
}

sluice::Task<sluice::net::IoResult<void>> Connection::write_frame(const Frame& frame) {
  queue_frame(frame);
  sluice::net::IoResult<void> r = co_await flush();
  co_return r;
}

}  // namespace mini_redis
