// Parse: a cursor over an array frame's elements.
#include <charconv>
#include <utility>

#include <mini_redis/parse.hpp>

namespace mini_redis {

namespace {

std::string describe(const Frame& f) {
  std::string s = f.to_string();
  constexpr std::size_t kMaxShown = 64;
  if (s.size() > kMaxShown) {
    s.resize(kMaxShown);
    s += "...";
  }
  return s;
}

}  // namespace

sluice::Result<Parse, ParseError> Parse::from_frame(Frame frame) {
  if (!frame.is_array()) {
    return sluice::Err(ParseError::other("protocol error; expected array, got " + describe(frame)));
  }
  return Parse(std::move(frame).into_array());
}

sluice::Result<Frame, ParseError> Parse::next() {
  if (index_ == items_.size()) return sluice::Err(ParseError::end_of_stream());
  return std::move(items_[index_++]);
}

sluice::Result<std::string, ParseError> Parse::next_string() { return next_bytes(); }

sluice::Result<std::string, ParseError> Parse::next_bytes() {
  if (index_ == items_.size()) return sluice::Err(ParseError::end_of_stream());
  Frame& f = items_[index_++];
  if (f.is_simple() || f.is_bulk()) return std::move(f).into_string();
  return sluice::Err(
      ParseError::other("protocol error; expected simple or bulk string, got " + describe(f)));
}

sluice::Result<std::int64_t, ParseError> Parse::next_int() {
  if (index_ == items_.size()) return sluice::Err(ParseError::end_of_stream());
  const Frame& f = items_[index_++];
  if (f.is_integer()) return f.as_integer();
  if (f.is_simple() || f.is_bulk()) {
    const std::string& s = f.as_string();
    std::int64_t v = 0;
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ec == std::errc() && ptr == end && !s.empty()) return v;
    return sluice::Err(ParseError::other("protocol error; invalid number"));
  }
  return sluice::Err(ParseError::other("protocol error; expected int frame, got " + describe(f)));
}

sluice::Result<void, ParseError> Parse::finish() const {
  if (index_ == items_.size()) return {};
  return sluice::Err(ParseError::other("protocol error; expected end of frame"));
}

}  // namespace mini_redis
