// Frame as a value: factories and kinds, accessors (and their wrong-kind errors), equality,
// building arrays, redis-cli style to_string, and the exact bytes write_frame produces.
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <mini_redis/frame.hpp>

namespace {

using mini_redis::encode;
using mini_redis::Frame;
using namespace std::string_literals;

TEST(Frame, DefaultIsNull) {
  Frame f;
  EXPECT_TRUE(f.is_null());
  EXPECT_EQ(f.kind(), Frame::Kind::null);
  EXPECT_EQ(f, Frame::null());
}

TEST(Frame, FactoriesGiveTheirKind) {
  EXPECT_EQ(Frame::simple("OK").kind(), Frame::Kind::simple);
  EXPECT_EQ(Frame::error("ERR x").kind(), Frame::Kind::error);
  EXPECT_EQ(Frame::integer(1).kind(), Frame::Kind::integer);
  EXPECT_EQ(Frame::bulk("b").kind(), Frame::Kind::bulk);
  EXPECT_EQ(Frame::null().kind(), Frame::Kind::null);
  EXPECT_EQ(Frame::array().kind(), Frame::Kind::array);
  EXPECT_TRUE(Frame::simple("").is_simple());
  EXPECT_TRUE(Frame::error("").is_error());
  EXPECT_TRUE(Frame::integer(0).is_integer());
  EXPECT_TRUE(Frame::bulk("").is_bulk());
  EXPECT_TRUE(Frame::array().is_array());
}

TEST(Frame, AccessorsReturnTheContents) {
  EXPECT_EQ(Frame::simple("OK").as_string(), "OK");
  EXPECT_EQ(Frame::error("ERR x").as_string(), "ERR x");
  EXPECT_EQ(Frame::bulk("a\0b"s).as_string(), "a\0b"s);
  EXPECT_EQ(Frame::integer(-5).as_integer(), -5);
  const Frame a = Frame::array({Frame::integer(1), Frame::bulk("x")});
  ASSERT_EQ(a.as_array().size(), 2u);
  EXPECT_EQ(a.as_array()[1], Frame::bulk("x"));
  EXPECT_EQ(Frame::bulk("moved").into_string(), "moved");
  EXPECT_EQ(Frame::array({Frame::null()}).into_array().size(), 1u);
}

TEST(Frame, AccessorOfTheWrongKindThrowsLogicError) {
  EXPECT_THROW((void)Frame::integer(1).as_string(), std::logic_error);
  EXPECT_THROW((void)Frame::null().as_string(), std::logic_error);
  EXPECT_THROW((void)Frame::bulk("1").as_integer(), std::logic_error);
  EXPECT_THROW((void)Frame::simple("x").as_array(), std::logic_error);
  EXPECT_THROW((void)Frame::array().into_string(), std::logic_error);
  Frame not_array = Frame::bulk("x");
  EXPECT_THROW(not_array.push_bulk("y"), std::logic_error);
  try {
    (void)Frame::integer(1).as_array();
    FAIL() << "no throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("expected an array, got integer"), std::string::npos)
        << e.what();
  }
}

TEST(Frame, EqualityComparesKindAndContents) {
  EXPECT_EQ(Frame::bulk("x"), Frame::bulk("x"));
  EXPECT_NE(Frame::bulk("x"), Frame::bulk("y"));
  EXPECT_NE(Frame::simple("x"), Frame::bulk("x"));
  EXPECT_NE(Frame::simple("x"), Frame::error("x"));
  EXPECT_NE(Frame::integer(3), Frame::bulk("3"));
  EXPECT_NE(Frame::array(), Frame::null());
  EXPECT_EQ(Frame::array({Frame::array({Frame::integer(1)})}),
            Frame::array({Frame::array({Frame::integer(1)})}));
  EXPECT_NE(Frame::array({Frame::array({Frame::integer(1)})}),
            Frame::array({Frame::array({Frame::integer(2)})}));
  EXPECT_NE(Frame::array({Frame::integer(1)}), Frame::array({Frame::integer(1), Frame::null()}));
}

TEST(Frame, PushBuildsAnArray) {
  Frame f = Frame::array();
  f.push_bulk("SET");
  f.push_int(7);
  f.push(Frame::null());
  EXPECT_EQ(f, Frame::array({Frame::bulk("SET"), Frame::integer(7), Frame::null()}));
}

TEST(Frame, CopiesAreIndependent) {
  Frame a = Frame::array({Frame::bulk("x")});
  Frame b = a;
  b.push_bulk("y");
  EXPECT_EQ(a.as_array().size(), 1u);
  EXPECT_EQ(b.as_array().size(), 2u);
}

TEST(Frame, ToStringPrintsLikeRedisCli) {
  EXPECT_EQ(Frame::simple("OK").to_string(), "OK");
  EXPECT_EQ(Frame::error("ERR nope").to_string(), "(error) ERR nope");
  EXPECT_EQ(Frame::integer(-3).to_string(), "(integer) -3");
  EXPECT_EQ(Frame::bulk("hello").to_string(), "\"hello\"");
  EXPECT_EQ(Frame::bulk("a\r\n\t\"\\\x01\x7f"s).to_string(), R"("a\r\n\t\"\\\x01\x7f")");
  EXPECT_EQ(Frame::bulk("\0"s).to_string(), R"("\x00")");
  EXPECT_EQ(Frame::null().to_string(), "(nil)");
  EXPECT_EQ(Frame::array().to_string(), "(empty array)");
  EXPECT_EQ(Frame::array({Frame::bulk("a"), Frame::integer(2)}).to_string(),
            "1) \"a\"\n2) (integer) 2");
}

TEST(Frame, ToStringIndentsNestedArrays) {
  const Frame f = Frame::array({Frame::bulk("a"),
                                Frame::array({Frame::integer(1), Frame::array({Frame::null()})}),
                                Frame::array()});
  EXPECT_EQ(f.to_string(),
            "1) \"a\"\n"
            "2) 1) (integer) 1\n"
            "   2) 1) (nil)\n"
            "3) (empty array)");
}

TEST(Frame, ToStringAlignsIndexesOfLongArrays) {
  Frame f = Frame::array();
  for (int i = 0; i < 10; ++i) f.push_int(i);
  f.as_array()[9] = Frame::array({Frame::bulk("x"), Frame::bulk("y")});
  const std::string s = f.to_string();
  EXPECT_EQ(s.substr(0, 16), " 1) (integer) 0\n");
  EXPECT_NE(s.find("\n10) 1) \"x\"\n    2) \"y\""), std::string::npos) << s;
}

TEST(Frame, StreamsAsToString) {
  std::ostringstream os;
  os << Frame::integer(5);
  EXPECT_EQ(os.str(), "(integer) 5");
}

TEST(Frame, KindNames) {
  EXPECT_EQ(mini_redis::kind_name(Frame::Kind::simple), "simple");
  EXPECT_EQ(mini_redis::kind_name(Frame::Kind::error), "error");
  EXPECT_EQ(mini_redis::kind_name(Frame::Kind::integer), "integer");
  EXPECT_EQ(mini_redis::kind_name(Frame::Kind::bulk), "bulk");
  EXPECT_EQ(mini_redis::kind_name(Frame::Kind::null), "null");
  EXPECT_EQ(mini_redis::kind_name(Frame::Kind::array), "array");
}

TEST(WriteFrame, WritesEachKind) {
  EXPECT_EQ(encode(Frame::simple("OK")), "+OK\r\n");
  EXPECT_EQ(encode(Frame::simple("")), "+\r\n");
  EXPECT_EQ(encode(Frame::error("ERR unknown command 'foo'")), "-ERR unknown command 'foo'\r\n");
  EXPECT_EQ(encode(Frame::integer(0)), ":0\r\n");
  EXPECT_EQ(encode(Frame::integer(std::numeric_limits<std::int64_t>::min())),
            ":-9223372036854775808\r\n");
  EXPECT_EQ(encode(Frame::integer(std::numeric_limits<std::int64_t>::max())),
            ":9223372036854775807\r\n");
  EXPECT_EQ(encode(Frame::bulk("")), "$0\r\n\r\n");
  EXPECT_EQ(encode(Frame::bulk("a\r\nb")), "$4\r\na\r\nb\r\n");
  EXPECT_EQ(encode(Frame::null()), "$-1\r\n");
  EXPECT_EQ(encode(Frame::array()), "*0\r\n");
  EXPECT_EQ(encode(Frame::array({Frame::bulk("GET"), Frame::bulk("k")})),
            "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  EXPECT_EQ(encode(Frame::array({Frame::array({Frame::integer(1)}), Frame::null()})),
            "*2\r\n*1\r\n:1\r\n$-1\r\n");
}

TEST(WriteFrame, AppendsToWhatIsThere) {
  std::string out = "+OK\r\n";
  mini_redis::write_frame(out, Frame::integer(1));
  EXPECT_EQ(out, "+OK\r\n:1\r\n");
}

TEST(WriteFrame, LineBreaksInSimpleStringsAndErrorsBecomeSpaces) {
  EXPECT_EQ(encode(Frame::simple("a\r\nb")), "+a  b\r\n");
  EXPECT_EQ(encode(Frame::error("ERR\nbad\r")), "-ERR bad \r\n");
}

}  // namespace

namespace {
TEST(Quote, EscapesLikeRedisCli) {
  EXPECT_EQ(mini_redis::quote("plain"), "\"plain\"");
  EXPECT_EQ(mini_redis::quote(std::string("a\n\r\t\a\b\"\\\x01\xff", 10)),
            "\"a\\n\\r\\t\\a\\b\\\"\\\\\\x01\\xff\"");
  EXPECT_EQ(mini_redis::quote(""), "\"\"");
}
}  // namespace
