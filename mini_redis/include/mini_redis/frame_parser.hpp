/// @file
/// mini_redis::FrameParser: reads RESP2 frames off the front of a byte buffer, incrementally.
///
/// A connection appends what it reads from the socket to a buffer and asks the parser for the
/// next frame. The answer is a frame and how many bytes it used (drop them from the buffer), or
/// FrameError::Kind::incomplete (read more, then ask again with the longer buffer: nothing is
/// lost and the parser resumes where it stopped, so a frame arriving a byte at a time costs
/// linear time), or a protocol error (reply with it and close the connection).
///
/// Like mini-redis, a frame is first checked without allocating anything, then built in one
/// pass once all of it is present: a header such as `$600000000\r\n` or `*1000000\r\n` never
/// allocates up front. Limits (those of Redis): bulk strings up to 512 MiB, arrays up to 1M
/// elements, 512 nested arrays, lines (simple strings, errors, inline commands) up to 64 KiB.
///
/// Inline commands: at the top level, a line that does not start with a RESP2 type byte
/// (`+ - : $ *`) is read as an inline command, as Redis does for telnet users: `PING\r\n` or
/// `SET k v\n` become an array of bulk strings split on spaces and tabs (no quoting; a
/// trailing CR is dropped; blank lines are skipped). ParserOptions turns this off for clients.
///
/// Example:
/// ```cpp
/// std::string buf = "+OK\r\n:4";
/// mini_redis::FrameParser parser;
/// auto r = parser.parse(buf);          // frame +OK, consumed 5
/// buf.erase(0, r->consumed);
/// auto r2 = parser.parse(buf);         // error kind incomplete: ":4" needs its CRLF
/// buf += "2\r\n";
/// auto r3 = parser.parse(buf);         // frame :42, consumed 4
/// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <mini_redis/frame.hpp>

#include <sluice/result.hpp>

namespace mini_redis {

/// Why FrameParser returned no frame: the input is incomplete, or it is not valid RESP2.
///
/// Example:
/// ```cpp
/// auto r = mini_redis::parse_frame("$abc\r\n");
/// assert(r.error().kind() == mini_redis::FrameError::Kind::invalid_bulk_length);
/// r.error().message();   // "protocol error; invalid bulk length"
/// ```
class FrameError {
 public:
  /// What is wrong (incomplete is not a protocol error).
  enum class Kind : std::uint8_t {
    /// Not an error in the stream: more bytes are needed before a frame can be returned.
    incomplete,
    /// A nested frame (or, with inline commands off, any frame) starts with a byte other than
    /// `+ - : $ *`.
    invalid_type,
    /// An integer frame is not `-?[0-9]{1,19}` or does not fit int64.
    invalid_integer,
    /// A bulk length is not a number, is below -1, or is over 512 MiB.
    invalid_bulk_length,
    /// An array length is not a number, is below -1, or is over 1M elements.
    invalid_array_length,
    /// A line ends in a bare CR or LF, or a bulk string's bytes are not followed by CRLF.
    invalid_line,
    /// A simple string, error or inline command line is longer than 64 KiB.
    line_too_long,
    /// Arrays nested deeper than 512 levels.
    too_deep,
  };

  /// The "need more bytes" answer. Example: `FrameError::incomplete().is_incomplete()`.
  static FrameError incomplete() noexcept { return FrameError(Kind::incomplete, 0, 0); }
  /// A protocol error of kind `kind` found at byte `offset` of the buffer that was parsed;
  /// `byte` is the offending type byte for invalid_type (ignored otherwise).
  static FrameError protocol(Kind kind, std::size_t offset, char byte = 0) noexcept {
    return FrameError(kind, offset, byte);
  }

  /// What is wrong.
  Kind kind() const noexcept { return kind_; }
  /// True when more input is needed (this is not a protocol error).
  bool is_incomplete() const noexcept { return kind_ == Kind::incomplete; }
  /// For a protocol error: where in the parsed buffer it was found (0 for incomplete).
  std::size_t offset() const noexcept { return offset_; }
  /// Text for logs and error replies, in mini-redis's words, such as "protocol error; invalid bulk
  /// length", "protocol error; invalid frame type byte `?`", or "incomplete frame".
  std::string message() const;

  /// Same kind, offset and offending byte.
  friend bool operator==(const FrameError&, const FrameError&) = default;

 private:
  FrameError(Kind kind, std::size_t offset, char byte) noexcept
      : kind_(kind), byte_(byte), offset_(offset) {}
  Kind kind_;
  char byte_;
  std::size_t offset_;
};

/// A frame read off the front of a buffer and the number of bytes it used.
///
/// Example:
/// ```cpp
/// auto r = mini_redis::parse_frame("+OK\r\n+OK\r\n");
/// buf.erase(0, r->consumed);   // 5: the second frame stays in the buffer
/// ```
struct ParsedFrame {
  Frame frame;  ///< The parsed frame.
  /// Bytes to drop from the front of the buffer (blank inline lines before the frame included).
  std::size_t consumed = 0;
};

/// Options of FrameParser.
///
/// Example (a client reading replies, where a line without a type byte is an error):
/// ```cpp
/// mini_redis::FrameParser replies(mini_redis::ParserOptions{.inline_commands = false});
/// ```
struct ParserOptions {
  /// Read a top-level line that does not start with a type byte as an inline command (servers).
  /// When false such a line is an invalid_type error (clients reading replies).
  bool inline_commands = true;
};

/// Incremental RESP2 parser (see frame_parser.hpp): call parse() again as more bytes arrive.
///
/// Contract: between two calls that return incomplete, the buffer passed must keep its bytes and
/// may only grow at the end (the parser remembers how far it has checked). After a call returns
/// a frame, drop `consumed` bytes from the front before the next call; after a protocol error
/// the stream cannot be resynchronised (the parser forgets everything; close the connection).
/// A buffer shorter than the checked part also makes the parser start over. Whatever the
/// input, parse never reads outside `buf` and never allocates more than a small multiple of
/// `buf.size()`.
///
/// Example:
/// ```cpp
/// mini_redis::FrameParser parser;
/// std::string buf;
/// for (char c : std::string_view("*1\r\n$4\r\nPING\r\n")) {
///   buf += c;
///   auto r = parser.parse(buf);
///   if (r) use(std::move(r->frame));     // once, after the last byte
///   else assert(r.error().is_incomplete());
/// }
/// ```
class FrameParser {
 public:
  /// Largest bulk string accepted (Redis's proto-max-bulk-len default, 512 MiB).
  static constexpr std::int64_t kMaxBulkLength = std::int64_t{512} * 1024 * 1024;
  /// Largest array accepted (elements), as Redis does for multibulk requests.
  static constexpr std::int64_t kMaxArrayLength = std::int64_t{1024} * 1024;
  /// Deepest nesting of arrays accepted.
  static constexpr std::size_t kMaxDepth = 512;
  /// Longest simple string, error or inline command line (bytes before CRLF / LF).
  static constexpr std::size_t kMaxLineLength = 64 * 1024;

  /// A parser with the default options (inline commands accepted, as a server wants).
  FrameParser() = default;
  /// A parser with `options`.
  explicit FrameParser(ParserOptions options) : options_(options) {}

  /// The next frame at the front of `buf`, or why there is none yet (see the class contract).
  sluice::Result<ParsedFrame, FrameError> parse(std::string_view buf);

  /// Forgets the progress made on a partial frame (for example after the caller replaced its
  /// buffer). Example: `buf.clear(); parser.reset();`.
  void reset() noexcept;

 private:
  ParserOptions options_;
  // Progress of the check over a partial frame: where the frame starts (after blank inline
  // lines), the next unchecked element, how far the current line was scanned for its end, and
  // how many elements each open array still expects.
  std::size_t start_ = 0;
  std::size_t pos_ = 0;
  std::size_t scan_ = 0;
  std::vector<std::int64_t> pending_;
};

/// Parses the frame at the front of `buf` in one go (a fresh FrameParser): a frame and the
/// bytes it used, FrameError::Kind::incomplete, or a protocol error.
///
/// Example:
/// ```cpp
/// auto r = mini_redis::parse_frame(":1\r\n:2\r\n");
/// assert(r && r->frame == mini_redis::Frame::integer(1) && r->consumed == 4);
/// ```
sluice::Result<ParsedFrame, FrameError> parse_frame(std::string_view buf,
                                                    ParserOptions options = {});

}  // namespace mini_redis
