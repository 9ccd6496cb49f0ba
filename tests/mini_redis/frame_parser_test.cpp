// FrameParser: round trips of every kind, incomplete input at every split point, pipelining
// with exact byte counts, each malformed input and its error, limits (huge bulk / array
// headers without allocation, nesting depth, line length), binary bulk strings, int64 edges,
// inline commands, and linear cost on a frame that arrives in small pieces.
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/frame.hpp>
#include <mini_redis/frame_parser.hpp>

#include "support/allocation_counter.hpp"

namespace {

using mini_redis::encode;
using mini_redis::Frame;
using mini_redis::FrameError;
using mini_redis::FrameParser;
using mini_redis::parse_frame;
using mini_redis::ParsedFrame;
using mini_redis::ParserOptions;
using support::AllocationCounter;
using Kind = mini_redis::FrameError::Kind;
using namespace std::string_literals;

constexpr ParserOptions kNoInline{false};

Frame B(std::string s) { return Frame::bulk(std::move(s)); }

// Every frame read off `buf` by one parser, and how it stopped.
struct Whole {
  std::vector<ParsedFrame> frames;
  FrameError end = FrameError::incomplete();
};

Whole parse_all(std::string_view buf, ParserOptions options = {}) {
  Whole w;
  FrameParser parser(options);
  std::size_t off = 0;
  for (;;) {
    auto r = parser.parse(buf.substr(off));
    if (!r) {
      w.end = r.error();
      return w;
    }
    off += r->consumed;
    w.frames.push_back(std::move(*r));
  }
}

FrameError error_of(std::string_view buf, ParserOptions options = {}) {
  auto r = parse_frame(buf, options);
  EXPECT_FALSE(r.has_value()) << "parsed " << r->frame << " from " << ::testing::PrintToString(buf);
  return r ? FrameError::incomplete() : r.error();
}

std::vector<Frame> sample_frames() {
  std::vector<Frame> frames = {
      Frame::simple("OK"),
      Frame::simple(""),
      Frame::simple("with spaces and \x01 bytes"),
      Frame::error("ERR unknown command 'foo'"),
      Frame::error(""),
      Frame::integer(0),
      Frame::integer(-1),
      Frame::integer(42),
      Frame::integer(std::numeric_limits<std::int64_t>::max()),
      Frame::integer(std::numeric_limits<std::int64_t>::min()),
      B(""),
      B("hello"),
      B("\r\n"),
      B("bin\0ary\r\n\r\n$3\r\n*1\r\n"s),
      B(std::string(100000, 'x')),
      Frame::null(),
      Frame::array(),
      Frame::array({B("GET"), B("key")}),
      Frame::array({Frame::simple("a"), Frame::error("b"), Frame::integer(3), B("c"), Frame::null(),
                    Frame::array()}),
      Frame::array({Frame::array({Frame::array({B("deep")}), Frame::integer(1)}), Frame::null()}),
  };
  return frames;
}

TEST(FrameParser, EveryKindRoundTrips) {
  for (const Frame& f : sample_frames()) {
    const std::string wire = encode(f);
    for (const ParserOptions options : {ParserOptions{true}, kNoInline}) {
      auto r = parse_frame(wire, options);
      ASSERT_TRUE(r) << f << ": " << r.error().message();
      EXPECT_EQ(r->frame, f);
      EXPECT_EQ(r->consumed, wire.size());
    }
  }
}

TEST(FrameParser, BothNullsParseToNull) {
  auto bulk_null = parse_frame("$-1\r\n");
  ASSERT_TRUE(bulk_null);
  EXPECT_TRUE(bulk_null->frame.is_null());
  EXPECT_EQ(bulk_null->consumed, 5u);
  auto array_null = parse_frame("*-1\r\n");
  ASSERT_TRUE(array_null);
  EXPECT_TRUE(array_null->frame.is_null());
  EXPECT_EQ(array_null->consumed, 5u);
  auto nested = parse_frame("*2\r\n*-1\r\n$-1\r\n");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->frame, Frame::array({Frame::null(), Frame::null()}));
}

TEST(FrameParser, PipelinedFramesAreConsumedOneAfterAnother) {
  const std::string buf =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"  // 27 bytes
      "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"             // 20
      "+OK\r\n"                                    // 5
      ":-12\r\n"                                   // 6
      "$-1\r\n"                                    // 5
      "*0\r\n";                                    // 4
  const Whole w = parse_all(buf);
  ASSERT_EQ(w.frames.size(), 6u);
  EXPECT_EQ(w.frames[0].frame, Frame::array({B("SET"), B("k"), B("v")}));
  EXPECT_EQ(w.frames[1].frame, Frame::array({B("GET"), B("k")}));
  EXPECT_EQ(w.frames[2].frame, Frame::simple("OK"));
  EXPECT_EQ(w.frames[3].frame, Frame::integer(-12));
  EXPECT_EQ(w.frames[4].frame, Frame::null());
  EXPECT_EQ(w.frames[5].frame, Frame::array());
  const std::vector<std::size_t> sizes = {27, 20, 5, 6, 5, 4};
  for (std::size_t i = 0; i < sizes.size(); ++i) EXPECT_EQ(w.frames[i].consumed, sizes[i]) << i;
  EXPECT_TRUE(w.end.is_incomplete());
}

// A buffer of several frames of every kind, and the frames in it.
std::string multi_frame_buffer(std::vector<Frame>& frames) {
  frames = {Frame::array({B("SET"), B("key"), B("va\r\nl"), B("PX"), B("100")}),
            Frame::simple("OK"),
            Frame::error("ERR x"),
            Frame::integer(-9),
            Frame::null(),
            Frame::array({Frame::array({Frame::integer(1), B("")}), Frame::array(), Frame::null()}),
            B("tail")};
  std::string buf;
  for (const Frame& f : frames) mini_redis::write_frame(buf, f);
  return buf;
}

TEST(FrameParser, EveryPrefixShorterThanTheFrameIsIncomplete) {
  std::vector<Frame> frames;
  const std::string buf = multi_frame_buffer(frames);
  const std::size_t first = encode(frames[0]).size();
  for (std::size_t k = 0; k <= buf.size(); ++k) {
    auto r = parse_frame(std::string_view(buf).substr(0, k));
    if (k < first) {
      ASSERT_FALSE(r) << "k=" << k;
      EXPECT_TRUE(r.error().is_incomplete()) << "k=" << k << ": " << r.error().message();
    } else {
      ASSERT_TRUE(r) << "k=" << k;
      EXPECT_EQ(r->frame, frames[0]);
      EXPECT_EQ(r->consumed, first);
    }
  }
}

TEST(FrameParser, ByteByByteGivesTheSameFramesAsTheWholeBuffer) {
  std::vector<Frame> frames;
  const std::string input = multi_frame_buffer(frames);
  for (const ParserOptions options : {ParserOptions{true}, kNoInline}) {
    const Whole whole = parse_all(input, options);
    ASSERT_EQ(whole.frames.size(), frames.size());
    FrameParser parser(options);
    std::string buf;
    std::vector<ParsedFrame> got;
    std::size_t next_end = whole.frames[0].consumed;  // where the next frame ends in `input`
    std::size_t done = 0;
    for (std::size_t i = 0; i < input.size(); ++i) {
      buf += input[i];
      auto r = parser.parse(buf);
      if (i + 1 < next_end) {
        ASSERT_FALSE(r) << "byte " << i;
        ASSERT_TRUE(r.error().is_incomplete()) << "byte " << i;
        continue;
      }
      ASSERT_TRUE(r) << "byte " << i << ": " << r.error().message();
      buf.erase(0, r->consumed);
      got.push_back(std::move(*r));
      done += got.back().consumed;
      if (got.size() < whole.frames.size()) next_end = done + whole.frames[got.size()].consumed;
    }
    ASSERT_EQ(got.size(), whole.frames.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].frame, whole.frames[i].frame);
      EXPECT_EQ(got[i].frame, frames[i]);
      EXPECT_EQ(got[i].consumed, whole.frames[i].consumed);
    }
    EXPECT_TRUE(buf.empty());
  }
}

TEST(FrameParser, TwoReadsSplitAtEveryPointGiveTheSameFrames) {
  std::vector<Frame> frames;
  const std::string input = multi_frame_buffer(frames);
  const Whole whole = parse_all(input);
  for (std::size_t k = 0; k <= input.size(); ++k) {
    FrameParser parser;
    std::string buf = input.substr(0, k);
    std::vector<Frame> got;
    auto drain = [&] {
      for (;;) {
        auto r = parser.parse(buf);
        if (!r) {
          EXPECT_TRUE(r.error().is_incomplete()) << "k=" << k << ": " << r.error().message();
          return;
        }
        buf.erase(0, r->consumed);
        got.push_back(std::move(r->frame));
      }
    };
    drain();
    buf += input.substr(k);
    drain();
    EXPECT_EQ(got, frames) << "k=" << k;
    EXPECT_TRUE(buf.empty()) << "k=" << k;
  }
  EXPECT_EQ(whole.frames.size(), frames.size());
}

TEST(FrameParser, BinaryBulkWithCrLfInside) {
  const std::string wire = "$8\r\na\r\nb\0c\r\n\r\n+next\r\n"s;
  auto r = parse_frame(wire);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->frame, B("a\r\nb\0c\r\n"s));
  EXPECT_EQ(r->frame.as_string().size(), 8u);
  EXPECT_EQ(r->consumed, 14u);
  const std::string every_byte = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
  }();
  auto all = parse_frame(encode(B(every_byte)));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->frame.as_string(), every_byte);
}

TEST(FrameParser, Int64Limits) {
  auto max = parse_frame(":9223372036854775807\r\n");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->frame.as_integer(), std::numeric_limits<std::int64_t>::max());
  auto min = parse_frame(":-9223372036854775808\r\n");
  ASSERT_TRUE(min);
  EXPECT_EQ(min->frame.as_integer(), std::numeric_limits<std::int64_t>::min());
  auto zero = parse_frame(":-0\r\n");
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->frame.as_integer(), 0);
  auto padded = parse_frame(":007\r\n");
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->frame.as_integer(), 7);
}

TEST(FrameParser, IntegerOverflowIsAnError) {
  EXPECT_EQ(error_of(":9223372036854775808\r\n").kind(), Kind::invalid_integer);
  EXPECT_EQ(error_of(":-9223372036854775809\r\n").kind(), Kind::invalid_integer);
  EXPECT_EQ(error_of(":99999999999999999999\r\n").kind(), Kind::invalid_integer);
  // 20 digits is an error as soon as the 20th arrives, CRLF or not.
  EXPECT_EQ(error_of(":00000000000000000001").kind(), Kind::invalid_integer);
}

struct Malformed {
  std::string input;
  Kind kind;
  std::size_t offset;
};

TEST(FrameParser, MalformedInputIsAProtocolError) {
  const std::vector<Malformed> cases = {
      {"?\r\n", Kind::invalid_type, 0},  // with inline commands off, below
      {"*1\r\n?x\r\n", Kind::invalid_type, 4},
      {"*2\r\n:1\r\nPING\r\n", Kind::invalid_type, 8},
      {":\r\n", Kind::invalid_integer, 1},
      {":abc\r\n", Kind::invalid_integer, 1},
      {":12a\r\n", Kind::invalid_integer, 3},
      {": 1\r\n", Kind::invalid_integer, 1},
      {":+1\r\n", Kind::invalid_integer, 1},
      {":1\rx", Kind::invalid_integer, 3},
      {":1\n", Kind::invalid_integer, 2},
      {"$\r\n", Kind::invalid_bulk_length, 1},
      {"$abc\r\n", Kind::invalid_bulk_length, 1},
      {"$-2\r\n", Kind::invalid_bulk_length, 1},
      {"$-\r\n", Kind::invalid_bulk_length, 2},
      {"$536870913\r\n", Kind::invalid_bulk_length, 1},
      {"$600000000\r\n", Kind::invalid_bulk_length, 1},
      {"$9223372036854775807\r\n", Kind::invalid_bulk_length, 1},
      {"*\r\n", Kind::invalid_array_length, 1},
      {"*x\r\n", Kind::invalid_array_length, 1},
      {"*-2\r\n", Kind::invalid_array_length, 1},
      {"*1048577\r\n", Kind::invalid_array_length, 1},
      {"+OK\n", Kind::invalid_line, 3},
      {"+OK\rX", Kind::invalid_line, 4},
      {"-ERR\nmore\r\n", Kind::invalid_line, 4},
      {"$3\r\nabcXY", Kind::invalid_line, 7},
      {"$3\r\nabc\rX", Kind::invalid_line, 7},
      {"$0\r\nXY", Kind::invalid_line, 4},
      {"*2\r\n+OK\r\n$1\r\nab\r\n", Kind::invalid_line, 14},
  };
  for (const auto& c : cases) {
    const ParserOptions options = c.input[0] == '?' ? kNoInline : ParserOptions{};
    const FrameError e = error_of(c.input, options);
    EXPECT_EQ(e.kind(), c.kind) << ::testing::PrintToString(c.input) << ": " << e.message();
    EXPECT_EQ(e.offset(), c.offset) << ::testing::PrintToString(c.input);
    EXPECT_FALSE(e.is_incomplete());
  }
}

TEST(FrameParser, ErrorMessagesSayWhatIsWrong) {
  EXPECT_EQ(error_of("$600000000\r\n").message(), "protocol error; invalid bulk length");
  EXPECT_EQ(error_of("*x\r\n").message(), "protocol error; invalid multibulk length");
  EXPECT_EQ(error_of(":x\r\n").message(), "protocol error; invalid integer");
  EXPECT_EQ(error_of("+a\nb").message(), "protocol error; expected CRLF");
  EXPECT_EQ(error_of("!x\r\n", kNoInline).message(), "protocol error; invalid frame type byte `!`");
  EXPECT_EQ(error_of("\x01\r\n", kNoInline).message(),
            "protocol error; invalid frame type byte `\\x01`");
  EXPECT_EQ(FrameError::incomplete().message(), "incomplete frame");
}

TEST(FrameParser, ErrorsAreFoundBeforeTheRestArrives) {
  // No need to wait for a CRLF (or a body) to know these are wrong.
  EXPECT_EQ(error_of("$12x").kind(), Kind::invalid_bulk_length);
  EXPECT_EQ(error_of("*1\r\n*1\r\n:--").kind(), Kind::invalid_integer);
  EXPECT_EQ(error_of("+abc\n").kind(), Kind::invalid_line);
}

TEST(FrameParser, HugeBulkLengthIsRejectedWithoutAllocating) {
  std::size_t bytes = 0;
  {
    AllocationCounter counter;
    auto r = parse_frame("$600000000\r\n");
    bytes = counter.bytes();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind(), Kind::invalid_bulk_length);
  }
  EXPECT_LT(bytes, 1024u);
}

TEST(FrameParser, LargestBulkHeaderWaitsWithoutAllocating) {
  std::size_t bytes = 0;
  {
    AllocationCounter counter;
    FrameParser parser;
    auto r = parser.parse("$536870912\r\nabc");  // exactly 512 MiB: allowed, but not here yet
    bytes = counter.bytes();
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_incomplete());
  }
  EXPECT_LT(bytes, 1024u);
}

TEST(FrameParser, LargeArrayHeaderDoesNotAllocateUpFront) {
  std::size_t bytes = 0;
  {
    AllocationCounter counter;
    FrameParser parser;
    auto r = parser.parse("*1048576\r\n:1\r\n:2\r\n");
    bytes = counter.bytes();
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_incomplete());
  }
  EXPECT_LT(bytes, 1024u);
  // Nested big headers: still only the parser's small stack of counts.
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += "*1048576\r\n";
  {
    AllocationCounter counter;
    auto r = parse_frame(nested);
    bytes = counter.bytes();
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_incomplete());
  }
  EXPECT_LT(bytes, 4096u);
}

std::string nested_arrays(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "*1\r\n";
  return s + ":7\r\n";
}

TEST(FrameParser, NestingUpTo512IsAccepted) {
  auto r = parse_frame(nested_arrays(512));
  ASSERT_TRUE(r) << r.error().message();
  int depth = 0;
  const Frame* f = &r->frame;
  while (f->is_array()) {
    ++depth;
    f = &f->as_array().front();
  }
  EXPECT_EQ(depth, 512);
  EXPECT_EQ(*f, Frame::integer(7));
  EXPECT_EQ(encode(r->frame), nested_arrays(512));
}

TEST(FrameParser, NestingDeeperThan512IsRejected) {
  const FrameError e = error_of(nested_arrays(513));
  EXPECT_EQ(e.kind(), Kind::too_deep);
  EXPECT_EQ(e.offset(), 512u * 4);
  EXPECT_EQ(e.message(), "protocol error; arrays nested deeper than 512");
  // An empty array is a level too; a null is not an array.
  std::string empty_at_513;
  for (int i = 0; i < 512; ++i) empty_at_513 += "*1\r\n";
  EXPECT_EQ(error_of(empty_at_513 + "*0\r\n").kind(), Kind::too_deep);
  EXPECT_TRUE(parse_frame(empty_at_513 + "*-1\r\n"));
  // Very deep input fails at level 513 without reading (or waiting for) the rest.
  std::string very_deep;
  for (int i = 0; i < 100000; ++i) very_deep += "*1\r\n";
  EXPECT_EQ(error_of(very_deep).kind(), Kind::too_deep);
}

TEST(FrameParser, LinesAreLimitedTo64KiB) {
  const std::size_t max = FrameParser::kMaxLineLength;
  auto at_limit = parse_frame("+" + std::string(max, 'a') + "\r\n");
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->frame.as_string().size(), max);
  EXPECT_EQ(error_of("+" + std::string(max + 1, 'a') + "\r\n").kind(), Kind::line_too_long);
  // Without a terminator: incomplete up to the limit, an error past it.
  auto waiting = parse_frame("-" + std::string(max, 'a'));
  ASSERT_FALSE(waiting);
  EXPECT_TRUE(waiting.error().is_incomplete());
  EXPECT_EQ(error_of("-" + std::string(max + 1, 'a')).kind(), Kind::line_too_long);
  EXPECT_EQ(error_of(std::string(max + 1, 'a')).kind(), Kind::line_too_long);  // inline
  EXPECT_EQ(error_of(std::string(max + 1, 'a') + "\n").kind(), Kind::line_too_long);
  // Bulk strings are not lines: they may be longer.
  EXPECT_TRUE(parse_frame(encode(B(std::string(max * 2, 'b')))));
}

TEST(FrameParser, InlineCommandsAreArraysOfBulkStrings) {
  auto ping = parse_frame("PING\r\n");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->frame, Frame::array({B("PING")}));
  EXPECT_EQ(ping->consumed, 6u);
  auto set = parse_frame("set  key\tva\"l\n+OK\r\n");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->frame, Frame::array({B("set"), B("key"), B("va\"l")}));
  EXPECT_EQ(set->consumed, 14u);
  auto trailing = parse_frame("  GET k  \r\n");
  ASSERT_TRUE(trailing);
  EXPECT_EQ(trailing->frame, Frame::array({B("GET"), B("k")}));
}

TEST(FrameParser, BlankInlineLinesAreSkipped) {
  auto r = parse_frame("\r\n\n  \r\nPING\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->frame, Frame::array({B("PING")}));
  EXPECT_EQ(r->consumed, 13u);
  auto blank = parse_frame("\r\n\r\n");
  ASSERT_FALSE(blank);
  EXPECT_TRUE(blank.error().is_incomplete());
  auto then_resp = parse_frame("\r\n:1\r\n");
  ASSERT_TRUE(then_resp);
  EXPECT_EQ(then_resp->frame, Frame::integer(1));
  EXPECT_EQ(then_resp->consumed, 6u);
}

TEST(FrameParser, InlineCommandsMixWithRespFrames) {
  const Whole w = parse_all("+OK\r\nPING\r\n*1\r\n$4\r\nPING\r\nECHO hi\n");
  ASSERT_EQ(w.frames.size(), 4u);
  EXPECT_EQ(w.frames[1].frame, Frame::array({B("PING")}));
  EXPECT_EQ(w.frames[2].frame, Frame::array({B("PING")}));
  EXPECT_EQ(w.frames[3].frame, Frame::array({B("ECHO"), B("hi")}));
  EXPECT_TRUE(w.end.is_incomplete());
}

TEST(FrameParser, InlineCommandsCanBeTurnedOff) {
  const FrameError e = error_of("PING\r\n", kNoInline);
  EXPECT_EQ(e.kind(), Kind::invalid_type);
  EXPECT_EQ(e.message(), "protocol error; invalid frame type byte `P`");
  EXPECT_EQ(error_of("\r\n", kNoInline).kind(), Kind::invalid_type);
}

TEST(FrameParser, AShorterBufferMakesTheParserStartOver) {
  FrameParser parser;
  auto partial = parser.parse("*2\r\n:1\r\n");
  ASSERT_FALSE(partial);
  ASSERT_TRUE(partial.error().is_incomplete());
  auto other = parser.parse(":5\r\n");  // breaks the contract: the parser notices and restarts
  ASSERT_TRUE(other);
  EXPECT_EQ(other->frame, Frame::integer(5));
}

TEST(FrameParser, ResetForgetsAPartialFrame) {
  FrameParser parser;
  ASSERT_FALSE(parser.parse("*2\r\n:1\r\n"));
  parser.reset();
  auto r = parser.parse("+fresh\r\n:1\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->frame, Frame::simple("fresh"));
}

TEST(FrameParser, AfterAProtocolErrorTheParserStartsOver) {
  FrameParser parser;
  auto bad = parser.parse("*2\r\n:x\r\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), Kind::invalid_integer);
  auto good = parser.parse(":3\r\n");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->frame, Frame::integer(3));
}

// A frame arriving in small reads must cost time linear in its size: the parser resumes its
// check where it stopped instead of starting again from the first byte.
TEST(FrameParser, AFrameArrivingInSmallPiecesCostsLinearTime) {
  constexpr int kElements = 200000;
  std::string input = "*" + std::to_string(kElements) + "\r\n";
  for (int i = 0; i < kElements; ++i) input += ":1\r\n";
  input += "+" + std::string(60000, 's') + "\r\n";  // and a long line read in pieces

  const auto start = std::chrono::steady_clock::now();
  FrameParser parser;
  std::string buf;
  std::vector<ParsedFrame> got;
  for (std::size_t i = 0; i < input.size(); i += 8) {
    buf.append(input, i, 8);
    for (;;) {
      auto r = parser.parse(buf);
      if (!r) {
        ASSERT_TRUE(r.error().is_incomplete());
        break;
      }
      buf.erase(0, r->consumed);
      got.push_back(std::move(*r));
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].frame.as_array().size(), static_cast<std::size_t>(kElements));
  EXPECT_EQ(got[1].frame.as_string().size(), 60000u);
  // Linear: milliseconds (more under sanitizers). Quadratic would be minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

}  // namespace
