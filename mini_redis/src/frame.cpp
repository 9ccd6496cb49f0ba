// Frame: factories, accessors, equality, redis-cli style printing and the RESP2 writer.
#include <charconv>
#include <cstdio>
#include <ostream>
#include <stdexcept>
#include <utility>

#include <mini_redis/frame.hpp>

namespace mini_redis {

namespace {

[[noreturn]] void wrong_kind(const char* wanted, Frame::Kind got) {
  throw std::logic_error(std::string("mini_redis::Frame: expected ") + wanted + ", got " +
                         std::string(kind_name(got)));
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_line_text(std::string& out, const std::string& text) {
  const std::size_t at = out.size();
  out += text;
  for (std::size_t i = at; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  }
}

// redis-cli's quoting of a bulk string (sdscatrepr): printable ASCII as is, the usual C escapes,
// \xHH for the rest.
void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
          out += c;
        } else {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", u);
          out += hex;
        }
      }
    }
  }
  out += '"';
}

// Mirrors redis-cli's cliFormatReplyTTY: every element ends with '\n'; the first element of an
// array continues its parent's line, the others start with `indent`.
void format(std::string& out, const Frame& f, const std::string& indent) {
  switch (f.kind()) {
    case Frame::Kind::simple:
      out += f.as_string();
      break;
    case Frame::Kind::error:
      out += "(error) ";
      out += f.as_string();
      break;
    case Frame::Kind::integer:
      out += "(integer) ";
      append_int(out, f.as_integer());
      break;
    case Frame::Kind::bulk:
      append_quoted(out, f.as_string());
      break;
    case Frame::Kind::null:
      out += "(nil)";
      break;
    case Frame::Kind::array: {
      const auto& items = f.as_array();
      if (items.empty()) {
        out += "(empty array)";
        break;
      }
      const std::size_t width = std::to_string(items.size()).size();
      const std::string child_indent = indent + std::string(width + 2, ' ');
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += indent;
        const std::string n = std::to_string(i + 1);
        out.append(width - n.size(), ' ');
        out += n;
        out += ") ";
        format(out, items[i], child_indent);
        if (i + 1 < items.size()) out += '\n';
      }
      return;
    }
  }
}

}  // namespace

Frame Frame::simple(std::string text) { return Frame(Kind::simple, std::move(text)); }
Frame Frame::error(std::string message) { return Frame(Kind::error, std::move(message)); }
Frame Frame::integer(std::int64_t value) noexcept { return Frame(Kind::integer, value); }
Frame Frame::bulk(std::string bytes) { return Frame(Kind::bulk, std::move(bytes)); }
Frame Frame::array(std::vector<Frame> items) { return Frame(Kind::array, std::move(items)); }

const std::string& Frame::as_string() const {
  if (const auto* s = std::get_if<std::string>(&value_)) return *s;
  wrong_kind("a simple string, error or bulk string", kind_);
}

std::int64_t Frame::as_integer() const {
  if (const auto* v = std::get_if<std::int64_t>(&value_)) return *v;
  wrong_kind("an integer", kind_);
}

const std::vector<Frame>& Frame::as_array() const {
  if (const auto* v = std::get_if<std::vector<Frame>>(&value_)) return *v;
  wrong_kind("an array", kind_);
}

std::vector<Frame>& Frame::as_array() {
  if (auto* v = std::get_if<std::vector<Frame>>(&value_)) return *v;
  wrong_kind("an array", kind_);
}

std::string Frame::into_string() && {
  if (auto* s = std::get_if<std::string>(&value_)) return std::move(*s);
  wrong_kind("a simple string, error or bulk string", kind_);
}

std::vector<Frame> Frame::into_array() && {
  if (auto* v = std::get_if<std::vector<Frame>>(&value_)) return std::move(*v);
  wrong_kind("an array", kind_);
}

void Frame::push_bulk(std::string bytes) { as_array().push_back(Frame::bulk(std::move(bytes))); }
void Frame::push_int(std::int64_t value) { as_array().push_back(Frame::integer(value)); }
void Frame::push(Frame frame) { as_array().push_back(std::move(frame)); }

std::string Frame::to_string() const {
  std::string out;
  format(out, *this, std::string());
  return out;
}

bool operator==(const Frame& a, const Frame& b) {
  return a.kind_ == b.kind_ && a.value_ == b.value_;
}

std::ostream& operator<<(std::ostream& os, const Frame& frame) { return os << frame.to_string(); }

std::string_view kind_name(Frame::Kind kind) noexcept {
  switch (kind) {
    case Frame::Kind::simple:
      return "simple";
    case Frame::Kind::error:
      return "error";
    case Frame::Kind::integer:
      return "integer";
    case Frame::Kind::bulk:
      return "bulk";
    case Frame::Kind::null:
      return "null";
    case Frame::Kind::array:
      return "array";
  }
  return "unknown";
}

void write_frame(std::string& out, const Frame& frame) {
  switch (frame.kind()) {
    case Frame::Kind::simple:
      out += '+';
      append_line_text(out, frame.as_string());
      break;
    case Frame::Kind::error:
      out += '-';
      append_line_text(out, frame.as_string());
      break;
    case Frame::Kind::integer:
      out += ':';
      append_int(out, frame.as_integer());
      break;
    case Frame::Kind::bulk: {
      const std::string& s = frame.as_string();
      out += '$';
      append_int(out, static_cast<std::int64_t>(s.size()));
      out += "\r\n";
      out += s;
      break;
    }
    case Frame::Kind::null:
      out += "$-1";
      break;
    case Frame::Kind::array: {
      const auto& items = frame.as_array();
      out += '*';
      append_int(out, static_cast<std::int64_t>(items.size()));
      out += "\r\n";
      for (const Frame& item : items) write_frame(out, item);
      return;
    }
  }
  out += "\r\n";
}

std::string encode(const Frame& frame) {
  std::string out;
  write_frame(out, frame);
  return out;
}

std::string quote(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 2);
  append_quoted(out, bytes);
  return out;
}

}  // namespace mini_redis
