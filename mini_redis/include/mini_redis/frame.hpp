/// @file
/// mini_redis::Frame: one RESP2 value, the unit that travels between a Redis client and server,
/// and write_frame, which appends a frame's wire bytes to a buffer.
///
/// RESP2 has five types, one byte each: `+` simple string, `-` error, `:` integer, `$` bulk
/// string (binary-safe, or `$-1` for null) and `*` array (of any frames, or `*-1` for null).
/// Both nulls are the one Frame::null(). Reading frames off a byte stream is FrameParser's job
/// (frame_parser.hpp).
///
/// Example:
/// ```cpp
/// auto f = mini_redis::Frame::array({mini_redis::Frame::bulk("GET"),
///                                    mini_redis::Frame::bulk("hello")});
/// std::string wire;
/// mini_redis::write_frame(wire, f);   // "*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n"
/// std::cout << f.to_string();         // 1) "GET"\n2) "hello"
/// ```
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mini_redis {

/// A RESP2 value: simple string, error, integer, bulk string, null or array of frames.
///
/// A regular value type: copyable, movable, compared with `==` (same kind, same contents;
/// a simple string is never equal to a bulk string with the same bytes). Accessors that do not
/// match the kind throw std::logic_error: check kind() first when the frame came off the wire.
///
/// Example:
/// ```cpp
/// auto ok = mini_redis::Frame::simple("OK");
/// assert(ok.is_simple() && ok.as_string() == "OK");
/// assert(mini_redis::Frame::integer(3) != mini_redis::Frame::bulk("3"));
/// ```
class Frame {
 public:
  /// Which RESP2 type a frame is.
  enum class Kind : std::uint8_t {
    simple,   ///< `+text`: a status reply such as OK.
    error,    ///< `-text`: an error reply.
    integer,  ///< `:n`: a signed 64-bit integer.
    bulk,     ///< `$len` then the bytes: a binary-safe string.
    null,     ///< `$-1` or `*-1`: no value.
    array     ///< `*n` then n frames.
  };

  /// The null frame (`$-1\r\n` on the wire).
  Frame() noexcept = default;

  /// A simple string (`+OK\r\n`). On the wire it cannot hold CR or LF: write_frame turns them
  /// into spaces, as Redis does for status replies. Example: `Frame::simple("PONG")`.
  static Frame simple(std::string text);
  /// An error reply (`-ERR syntax error\r\n`); CR and LF are written as spaces.
  /// Example: `Frame::error("ERR syntax error")`.
  static Frame error(std::string message);
  /// An integer (`:42\r\n`), any int64 value. Example: `Frame::integer(-1)`.
  static Frame integer(std::int64_t value) noexcept;
  /// A bulk string (`$5\r\nhello\r\n`): any bytes, CR LF and NUL included.
  /// Example: `Frame::bulk(std::string("a\0b", 3))`.
  static Frame bulk(std::string bytes);
  /// The null frame; `$-1` and `*-1` both parse to it and it is written as `$-1\r\n`.
  /// Example: `assert(Frame::null().is_null())`.
  static Frame null() noexcept { return Frame(); }
  /// An array of frames (`*2\r\n...`); nested arrays are allowed.
  /// Example: `Frame::array({Frame::bulk("PING")})`, or `Frame::array()` for an empty one.
  static Frame array(std::vector<Frame> items = {});

  /// This frame's RESP2 type.
  Kind kind() const noexcept { return kind_; }
  /// True for a simple string.
  bool is_simple() const noexcept { return kind_ == Kind::simple; }
  /// True for an error reply.
  bool is_error() const noexcept { return kind_ == Kind::error; }
  /// True for an integer.
  bool is_integer() const noexcept { return kind_ == Kind::integer; }
  /// True for a bulk string.
  bool is_bulk() const noexcept { return kind_ == Kind::bulk; }
  /// True for the null frame.
  bool is_null() const noexcept { return kind_ == Kind::null; }
  /// True for an array.
  bool is_array() const noexcept { return kind_ == Kind::array; }

  /// The text of a simple string or error, or the bytes of a bulk string.
  /// Throws std::logic_error for any other kind.
  /// Example: `Frame::bulk("v").as_string() == "v"`.
  const std::string& as_string() const;
  /// The value of an integer frame; throws std::logic_error for any other kind.
  /// Example: `Frame::integer(7).as_integer() == 7`.
  std::int64_t as_integer() const;
  ///@{
  /// @brief The elements of an array frame; throws std::logic_error for any other kind.
  /// Example: `for (const Frame& f : reply.as_array()) ...`.
  const std::vector<Frame>& as_array() const;
  std::vector<Frame>& as_array();
  ///@}
  /// Moves the string out of a simple string, error or bulk frame (throws like as_string).
  /// Example: `std::string v = std::move(frame).into_string();`.
  std::string into_string() &&;
  /// Moves the elements out of an array frame (throws like as_array).
  std::vector<Frame> into_array() &&;

  /// Appends a bulk string to an array frame (throws std::logic_error if not an array).
  /// Example: `auto f = Frame::array(); f.push_bulk("GET"); f.push_bulk("key");`.
  void push_bulk(std::string bytes);
  /// Appends an integer to an array frame (throws std::logic_error if not an array).
  void push_int(std::int64_t value);
  /// Appends any frame to an array frame (throws std::logic_error if not an array).
  void push(Frame frame);

  /// The frame as redis-cli prints it: `OK`, `(error) ERR x`, `(integer) 1`, `"bulk\r\n"`
  /// (quoted, with C escapes), `(nil)`, `(empty array)`, and numbered lines for arrays:
  /// ```text
  /// 1) "a"
  /// 2) 1) (integer) 1
  ///    2) (nil)
  /// ```
  /// No trailing newline. Example: `Frame::bulk("a\nb").to_string() == "\"a\\nb\""`.
  std::string to_string() const;

  /// Same kind and same contents (arrays element by element).
  friend bool operator==(const Frame& a, const Frame& b);

 private:
  using Storage = std::variant<std::monostate, std::int64_t, std::string, std::vector<Frame>>;
  Frame(Kind kind, Storage value) : kind_(kind), value_(std::move(value)) {}

  Kind kind_ = Kind::null;
  Storage value_;
};

/// Prints frame.to_string() (handy in tests: GoogleTest shows frames this way).
std::ostream& operator<<(std::ostream& os, const Frame& frame);

/// The name of a kind: "simple", "error", "integer", "bulk", "null" or "array".
/// Example: `kind_name(Frame::Kind::bulk) == "bulk"`.
std::string_view kind_name(Frame::Kind kind) noexcept;

/// `bytes` the way redis-cli prints a value: in double quotes, with `\\ \" \n \r \t \a \b`
/// escaped and other bytes outside printable ASCII as `\xHH`. Frame::to_string and
/// mini-redis-cli both print with it.
///
/// Example: `mini_redis::quote("a\nb") == "\"a\\nb\""`.
std::string quote(std::string_view bytes);

/// Appends the RESP2 encoding of `frame` to `out` (arrays recursively). Null is written as
/// `$-1\r\n`; CR and LF inside a simple string or error are written as spaces, so the output is
/// always one well-formed frame that FrameParser reads back equal (up to those spaces).
///
/// Example:
/// ```cpp
/// std::string out;
/// mini_redis::write_frame(out, mini_redis::Frame::integer(42));   // out == ":42\r\n"
/// ```
void write_frame(std::string& out, const Frame& frame);

/// The RESP2 encoding of `frame` as a new string (write_frame into an empty string).
/// Example: `encode(Frame::simple("OK")) == "+OK\r\n"`.
std::string encode(const Frame& frame);

}  // namespace mini_redis
