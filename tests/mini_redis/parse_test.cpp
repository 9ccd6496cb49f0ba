// Parse: the cursor over an array frame (next, next_string, next_bytes, next_int, finish) and
// its errors as values.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/frame.hpp>
#include <mini_redis/parse.hpp>

namespace {

using mini_redis::Frame;
using mini_redis::Parse;
using mini_redis::ParseError;

Parse parse_of(std::vector<Frame> items) {
  auto p = Parse::from_frame(Frame::array(std::move(items)));
  EXPECT_TRUE(p);
  return std::move(p).value();
}

TEST(Parse, FromFrameNeedsAnArray) {
  auto p = Parse::from_frame(Frame::integer(1));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ParseError::Kind::other);
  EXPECT_EQ(p.error().message(), "protocol error; expected array, got (integer) 1");
  EXPECT_FALSE(Parse::from_frame(Frame::null()));
  EXPECT_FALSE(Parse::from_frame(Frame::bulk("GET")));
}

TEST(Parse, ReadsElementsInOrder) {
  Parse p = parse_of(
      {Frame::bulk("SET"), Frame::simple("k"), Frame::bulk(std::string("v\0w", 3)), Frame::null()});
  EXPECT_EQ(p.remaining(), 4u);
  EXPECT_EQ(p.next_string().value(), "SET");
  EXPECT_EQ(p.next_string().value(), "k");
  EXPECT_EQ(p.next_bytes().value(), std::string("v\0w", 3));
  EXPECT_EQ(p.remaining(), 1u);
  EXPECT_EQ(p.next().value(), Frame::null());
  EXPECT_EQ(p.remaining(), 0u);
  EXPECT_TRUE(p.finish());
}

TEST(Parse, EndOfStream) {
  Parse p = parse_of({});
  auto s = p.next_string();
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is_end_of_stream());
  EXPECT_EQ(s.error().message(), "protocol error; unexpected end of stream");
  EXPECT_TRUE(p.next_bytes().error().is_end_of_stream());
  EXPECT_TRUE(p.next_int().error().is_end_of_stream());
  EXPECT_TRUE(p.next().error().is_end_of_stream());
  EXPECT_TRUE(p.finish());
}

TEST(Parse, StringsMustBeSimpleOrBulk) {
  Parse p = parse_of({Frame::integer(5), Frame::array(), Frame::bulk("after")});
  auto s = p.next_string();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind(), ParseError::Kind::other);
  EXPECT_EQ(s.error().message(), "protocol error; expected simple or bulk string, got (integer) 5");
  EXPECT_FALSE(p.next_bytes());  // the failed element was consumed; this is the array
  EXPECT_EQ(p.next_string().value(), "after");
}

TEST(Parse, LongFramesAreShortenedInMessages) {
  Parse p = parse_of({Frame::array({Frame::bulk(std::string(500, 'x'))})});
  auto s = p.next_string();
  ASSERT_FALSE(s);
  EXPECT_LT(s.error().message().size(), 200u);
  EXPECT_EQ(s.error().message().substr(s.error().message().size() - 3), "...");
}

TEST(Parse, IntegersFromIntegerFramesOrDecimalStrings) {
  Parse p = parse_of({Frame::integer(-3), Frame::bulk("42"), Frame::simple("-7"),
                      Frame::bulk("9223372036854775807"), Frame::bulk("-9223372036854775808")});
  EXPECT_EQ(p.next_int().value(), -3);
  EXPECT_EQ(p.next_int().value(), 42);
  EXPECT_EQ(p.next_int().value(), -7);
  EXPECT_EQ(p.next_int().value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(p.next_int().value(), std::numeric_limits<std::int64_t>::min());
}

TEST(Parse, InvalidNumbers) {
  for (const char* s : {"", "4x", " 4", "4 ", "+4", "1.5", "9223372036854775808", "0x10"}) {
    Parse p = parse_of({Frame::bulk(s)});
    auto n = p.next_int();
    ASSERT_FALSE(n) << s;
    EXPECT_EQ(n.error().message(), "protocol error; invalid number") << s;
  }
  Parse p = parse_of({Frame::null()});
  auto n = p.next_int();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message(), "protocol error; expected int frame, got (nil)");
}

TEST(Parse, FinishWithElementsLeftIsAnError) {
  Parse p = parse_of({Frame::bulk("GET"), Frame::bulk("k"), Frame::bulk("extra")});
  (void)p.next_string();
  (void)p.next_string();
  auto f = p.finish();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind(), ParseError::Kind::other);
  EXPECT_EQ(f.error().message(), "protocol error; expected end of frame");
}

}  // namespace
