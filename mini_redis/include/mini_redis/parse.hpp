/// @file
/// mini_redis::Parse: a cursor over the elements of an array frame, to read a command's
/// arguments one at a time (mini-redis's `Parse`), and ParseError, what it returns on failure.
///
/// Example:
/// ```cpp
/// auto p = mini_redis::Parse::from_frame(frame);            // frame: ["GET", "key"]
/// if (!p) return reply_error(p.error().message());
/// auto name = p->next_string();                             // "GET"
/// auto key = p->next_bytes();                               // "key"
/// auto done = p->finish();                                  // ok: nothing left
/// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <mini_redis/frame.hpp>

#include <sluice/result.hpp>

namespace mini_redis {

/// Why a Parse call failed: the array has no more elements (end_of_stream), or an element is
/// not what was asked for (other, with a message).
///
/// Example:
/// ```cpp
/// auto r = parse.next_int();
/// if (!r && r.error().is_end_of_stream()) ...   // "protocol error; unexpected end of stream"
/// ```
class ParseError {
 public:
  /// end_of_stream, or any other failure.
  enum class Kind : std::uint8_t {
    /// Every element has been read already.
    end_of_stream,
    /// Not an array, an element of the wrong type, or elements left at finish().
    other,
  };

  /// The error for reading past the last element. Example: `ParseError::end_of_stream()`.
  static ParseError end_of_stream() {
    return ParseError(Kind::end_of_stream, "protocol error; unexpected end of stream");
  }
  /// Any other failure; `message` is shown to users as is.
  /// Example: `ParseError::other("protocol error; expected end of frame")`.
  static ParseError other(std::string message) {
    return ParseError(Kind::other, std::move(message));
  }

  /// end_of_stream or other.
  Kind kind() const noexcept { return kind_; }
  /// True when the caller read past the last element.
  bool is_end_of_stream() const noexcept { return kind_ == Kind::end_of_stream; }
  /// E.g. "protocol error; unexpected end of stream", "protocol error; expected array, got
  /// (integer) 1", "protocol error; invalid number", "protocol error; expected end of frame".
  const std::string& message() const noexcept { return message_; }

 private:
  ParseError(Kind kind, std::string message) : kind_(kind), message_(std::move(message)) {}
  Kind kind_;
  std::string message_;
};

/// Reads the elements of an array frame in order. Each next_* call consumes one element, also
/// when it fails because the element has the wrong type.
///
/// Example:
/// ```cpp
/// auto p = mini_redis::Parse::from_frame(mini_redis::Frame::array(
///     {mini_redis::Frame::bulk("EXPIRE"), mini_redis::Frame::bulk("10")}));
/// assert(p->next_string().value() == "EXPIRE");
/// assert(p->next_int().value() == 10);
/// assert(p->finish().has_value());
/// ```
class Parse {
 public:
  /// A cursor over `frame`'s elements; fails with "protocol error; expected array, got ..."
  /// when `frame` is not an array.
  static sluice::Result<Parse, ParseError> from_frame(Frame frame);

  /// The next element, whatever its type; end_of_stream when none is left.
  sluice::Result<Frame, ParseError> next();
  /// The next element as text: a simple or bulk string (bytes, not checked as UTF-8).
  /// Errors: end_of_stream; other ("protocol error; expected simple or bulk string, got ...").
  sluice::Result<std::string, ParseError> next_string();
  /// The next element as raw bytes: a simple or bulk string (errors as next_string).
  sluice::Result<std::string, ParseError> next_bytes();
  /// The next element as an int64: an integer frame, or a simple or bulk string holding only a
  /// decimal integer (`-?[0-9]+`, in range). Errors: end_of_stream; other ("protocol error;
  /// invalid number" or "protocol error; expected int frame, got ...").
  sluice::Result<std::int64_t, ParseError> next_int();
  /// Succeeds when every element has been read; otherwise other ("protocol error; expected end
  /// of frame").
  sluice::Result<void, ParseError> finish() const;

  /// How many elements are left.
  std::size_t remaining() const noexcept { return items_.size() - index_; }

 private:
  explicit Parse(std::vector<Frame> items) : items_(std::move(items)) {}
  std::vector<Frame> items_;
  std::size_t index_ = 0;
};

}  // namespace mini_redis
