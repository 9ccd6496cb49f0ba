// FrameParser: a resumable check pass that allocates nothing, then one build pass.
//
// Both passes run the same scanner (`scan`) over a Cursor; only the Sink differs. The check
// pass keeps its Cursor in the parser between calls, so a partial frame is never checked twice
// (only the header of a bulk string that is still arriving, at most 23 bytes, is read again).
// The build pass starts from the frame's first byte once the check has seen all of it; by then
// every length has been checked against the bytes present, so no allocation outgrows the input.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

#include <mini_redis/frame_parser.hpp>

namespace mini_redis {

namespace {

using Kind = FrameError::Kind;

enum class Step : std::uint8_t { ok, incomplete, error };

// Where a scan is: see FrameParser's members of the same names.
struct Cursor {
  std::size_t start = 0;
  std::size_t pos = 0;
  std::size_t scan = 0;
  std::vector<std::int64_t>* pending = nullptr;
};

// Smallest encoding of an array element (`+\r\n`): an array of n elements needs 3n bytes.
constexpr std::size_t kMinElementBytes = 3;

bool is_inline_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Reads `-?[0-9]{1,19}\r\n` starting at `at`. On ok, `value` is set and `at` moves past the
// CRLF. On error, `err_at` is the offending byte.
Step read_number(std::string_view buf, std::size_t& at, std::int64_t& value, std::size_t& err_at) {
  std::size_t i = at;
  const bool negative = i < buf.size() && buf[i] == '-';
  if (negative) ++i;
  std::uint64_t magnitude = 0;
  std::size_t digits = 0;
  for (; i < buf.size() && buf[i] >= '0' && buf[i] <= '9'; ++i) {
    if (++digits > 19) {  // 19 digits hold every int64; more cannot fit (or is padding)
      err_at = i;
      return Step::error;
    }
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(buf[i] - '0');
  }
  if (i == buf.size()) return Step::incomplete;
  if (digits == 0 || buf[i] != '\r') {
    err_at = i;
    return Step::error;
  }
  if (i + 1 == buf.size()) return Step::incomplete;
  if (buf[i + 1] != '\n') {
    err_at = i + 1;
    return Step::error;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > kMax + (negative ? 1 : 0)) {
    err_at = at;
    return Step::error;
  }
  if (!negative) {
    value = static_cast<std::int64_t>(magnitude);
  } else if (magnitude == kMax + 1) {
    value = std::numeric_limits<std::int64_t>::min();
  } else {
    value = -static_cast<std::int64_t>(magnitude);
  }
  at = i + 2;
  return Step::ok;
}

// Finds the CRLF ending a simple string or error whose text starts at `from`, resuming the
// search at `scan`. On ok, `end` is the CR. On incomplete, `scan` is where to resume.
Step read_text_line(std::string_view buf, std::size_t from, std::size_t& scan, std::size_t& end,
                    Kind& kind, std::size_t& err_at) {
  const std::size_t i = buf.find_first_of("\r\n", std::max(from, scan));
  if (i == std::string_view::npos || i - from > FrameParser::kMaxLineLength) {
    if (buf.size() - from > FrameParser::kMaxLineLength) {
      kind = Kind::line_too_long;
      err_at = from;
      return Step::error;
    }
    scan = buf.size();
    return Step::incomplete;
  }
  if (buf[i] == '\n' || (i + 1 < buf.size() && buf[i + 1] != '\n')) {
    kind = Kind::invalid_line;
    err_at = buf[i] == '\n' ? i : i + 1;
    return Step::error;
  }
  if (i + 1 == buf.size()) {
    scan = i;  // look at this CR again once its LF may have arrived
    return Step::incomplete;
  }
  end = i;
  return Step::ok;
}

// Finds the LF ending an inline command starting at `from` (see read_text_line).
Step read_inline_line(std::string_view buf, std::size_t from, std::size_t& scan, std::size_t& end,
                      std::size_t& err_at) {
  const std::size_t i = buf.find('\n', std::max(from, scan));
  if (i == std::string_view::npos || i - from > FrameParser::kMaxLineLength) {
    if (buf.size() - from > FrameParser::kMaxLineLength) {
      err_at = from;
      return Step::error;
    }
    scan = buf.size();
    return Step::incomplete;
  }
  end = i;
  return Step::ok;
}

// The check pass's sink: looks at nothing, builds nothing.
struct CheckSink {
  void value(Frame::Kind /*kind*/, std::string_view /*text*/) {}
  void integer(std::int64_t /*v*/) {}
  void null() {}
  void inline_command(std::string_view /*line*/) {}
  void open(std::int64_t /*n*/, std::size_t /*bytes_left*/) {}
  void close() {}
};

// The build pass's sink: a stack of the arrays being filled.
struct BuildSink {
  std::vector<std::vector<Frame>> open_arrays;
  Frame result;

  void add(Frame f) {
    if (open_arrays.empty()) {
      result = std::move(f);
    } else {
      open_arrays.back().push_back(std::move(f));
    }
  }
  void value(Frame::Kind kind, std::string_view text) {
    std::string s(text);
    add(kind == Frame::Kind::simple  ? Frame::simple(std::move(s))
        : kind == Frame::Kind::error ? Frame::error(std::move(s))
                                     : Frame::bulk(std::move(s)));
  }
  void integer(std::int64_t v) { add(Frame::integer(v)); }
  void null() { add(Frame::null()); }
  void inline_command(std::string_view line) {
    std::vector<Frame> words;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && is_inline_space(line[i])) ++i;
      const std::size_t word = i;
      while (i < line.size() && !is_inline_space(line[i])) ++i;
      if (i > word) words.push_back(Frame::bulk(std::string(line.substr(word, i - word))));
    }
    add(Frame::array(std::move(words)));
  }
  void open(std::int64_t n, std::size_t bytes_left) {
    open_arrays.emplace_back();
    // n <= bytes_left / 3 once the check has passed; the min() keeps that true regardless.
    open_arrays.back().reserve(
        std::min(static_cast<std::size_t>(n), bytes_left / kMinElementBytes));
  }
  void close() {
    std::vector<Frame> items = std::move(open_arrays.back());
    open_arrays.pop_back();
    add(Frame::array(std::move(items)));
  }
};

// Scans elements from c.pos until one whole top-level frame has been seen (ok, c.pos is just
// past it), more bytes are needed (incomplete, c remembers the progress) or the input is not
// RESP2 (error, `err` says why).
template <class Sink>
Step scan(std::string_view buf, Cursor& c, Sink& sink, const ParserOptions& options,
          FrameError& err) {
  std::vector<std::int64_t>& pending = *c.pending;
  for (;;) {
    if (c.pos >= buf.size()) return Step::incomplete;
    const std::size_t at = c.pos;
    const char type = buf[at];
    std::size_t next = at + 1;
    std::size_t err_at = at;
    std::int64_t n = 0;
    switch (type) {
      case '+':
      case '-': {
        std::size_t end = 0;
        Kind kind = Kind::invalid_line;
        const Step s = read_text_line(buf, next, c.scan, end, kind, err_at);
        if (s == Step::error) err = FrameError::protocol(kind, err_at);
        if (s != Step::ok) return s;
        sink.value(type == '+' ? Frame::Kind::simple : Frame::Kind::error,
                   buf.substr(next, end - next));
        next = end + 2;
        break;
      }
      case ':': {
        const Step s = read_number(buf, next, n, err_at);
        if (s == Step::error) err = FrameError::protocol(Kind::invalid_integer, err_at);
        if (s != Step::ok) return s;
        sink.integer(n);
        break;
      }
      case '$': {
        const Step s = read_number(buf, next, n, err_at);
        if (s == Step::ok && (n < -1 || n > FrameParser::kMaxBulkLength)) {
          err = FrameError::protocol(Kind::invalid_bulk_length, at + 1);
          return Step::error;
        }
        if (s == Step::error) err = FrameError::protocol(Kind::invalid_bulk_length, err_at);
        if (s != Step::ok) return s;
        if (n == -1) {
          sink.null();
          break;
        }
        const auto len = static_cast<std::size_t>(n);
        if (buf.size() - next < len + 2) return Step::incomplete;  // the header is read again
        if (buf[next + len] != '\r' || buf[next + len + 1] != '\n') {
          err = FrameError::protocol(Kind::invalid_line, next + len);
          return Step::error;
        }
        sink.value(Frame::Kind::bulk, buf.substr(next, len));
        next += len + 2;
        break;
      }
      case '*': {
        const Step s = read_number(buf, next, n, err_at);
        if (s == Step::ok && (n < -1 || n > FrameParser::kMaxArrayLength)) {
          err = FrameError::protocol(Kind::invalid_array_length, at + 1);
          return Step::error;
        }
        if (s == Step::error) err = FrameError::protocol(Kind::invalid_array_length, err_at);
        if (s != Step::ok) return s;
        if (n == -1) {
          sink.null();
          break;
        }
        if (pending.size() >= FrameParser::kMaxDepth) {  // empty arrays count as a level too
          err = FrameError::protocol(Kind::too_deep, at);
          return Step::error;
        }
        if (n == 0) {
          sink.open(0, 0);
          sink.close();
          break;
        }
        sink.open(n, buf.size() - next);
        pending.push_back(n);
        c.pos = next;
        c.scan = 0;
        continue;  // its first element follows
      }
      default: {
        if (!pending.empty() || !options.inline_commands) {
          err = FrameError::protocol(Kind::invalid_type, at, type);
          return Step::error;
        }
        std::size_t end = 0;
        const Step s = read_inline_line(buf, at, c.scan, end, err_at);
        if (s == Step::error) err = FrameError::protocol(Kind::line_too_long, err_at);
        if (s != Step::ok) return s;
        std::string_view line = buf.substr(at, end - at);
        next = end + 1;
        if (std::all_of(line.begin(), line.end(), is_inline_space)) {  // blank: skip it
          c.start = c.pos = next;
          c.scan = 0;
          continue;
        }
        if (line.back() == '\r') line.remove_suffix(1);
        sink.inline_command(line);
        break;
      }
    }
    // One element done: it may complete the arrays around it.
    c.pos = next;
    c.scan = 0;
    while (!pending.empty()) {
      if (--pending.back() > 0) break;
      pending.pop_back();
      sink.close();
    }
    if (pending.empty()) return Step::ok;
  }
}

}  // namespace

std::string FrameError::message() const {
  switch (kind_) {
    case Kind::incomplete:
      return "incomplete frame";
    case Kind::invalid_type: {
      const auto u = static_cast<unsigned char>(byte_);
      char shown[8];
      if (u >= 0x20 && u < 0x7f) {
        std::snprintf(shown, sizeof shown, "%c", byte_);
      } else {
        std::snprintf(shown, sizeof shown, "\\x%02x", u);
      }
      return std::string("protocol error; invalid frame type byte `") + shown + "`";
    }
    case Kind::invalid_integer:
      return "protocol error; invalid integer";
    case Kind::invalid_bulk_length:
      return "protocol error; invalid bulk length";
    case Kind::invalid_array_length:
      return "protocol error; invalid multibulk length";
    case Kind::invalid_line:
      return "protocol error; expected CRLF";
    case Kind::line_too_long:
      return "protocol error; line longer than 64 KiB";
    case Kind::too_deep:
      return "protocol error; arrays nested deeper than 512";
  }
  return "protocol error";
}

sluice::Result<ParsedFrame, FrameError> FrameParser::parse(std::string_view buf) {
  if (buf.size() < pos_ || buf.size() < scan_) reset();  // not the buffer we were checking

  Cursor check{start_, pos_, scan_, &pending_};
  CheckSink nothing;
  FrameError err = FrameError::incomplete();
  const Step checked = scan(buf, check, nothing, options_, err);
  start_ = check.start;
  pos_ = check.pos;
  scan_ = check.scan;
  if (checked == Step::incomplete) return sluice::Err(FrameError::incomplete());
  const std::size_t start = start_;
  reset();
  if (checked == Step::error) return sluice::Err(err);

  std::vector<std::int64_t> open;
  Cursor build{start, start, 0, &open};
  BuildSink sink;
  const Step built = scan(buf, build, sink, options_, err);
  if (built == Step::incomplete) return sluice::Err(FrameError::incomplete());
  if (built == Step::error) return sluice::Err(err);
  return ParsedFrame{std::move(sink.result), build.pos};
}

void FrameParser::reset() noexcept {
  start_ = 0;
  pos_ = 0;
  scan_ = 0;
  pending_.clear();
}

sluice::Result<ParsedFrame, FrameError> parse_frame(std::string_view buf, ParserOptions options) {
  FrameParser parser(options);
  return parser.parse(buf);
}

}  // namespace mini_redis
