// Tests of sluice::Poll (poll.hpp) and sluice::Result (result.hpp).
#include <memory>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include <sluice/poll.hpp>
#include <sluice/result.hpp>

namespace {

TEST(Poll, ReadyAndPending) {
  sluice::Poll<int> r = 7;
  sluice::Poll<int> p = sluice::pending;
  EXPECT_TRUE(r.is_ready());
  EXPECT_FALSE(r.is_pending());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 7);
  EXPECT_TRUE(p.is_pending());
  EXPECT_FALSE(static_cast<bool>(p));
  auto q = sluice::Poll<std::string>::ready("x");
  EXPECT_EQ(q.value(), "x");
}

TEST(Poll, VoidAndMoveOnly) {
  auto v = sluice::Poll<void>::ready();
  sluice::Poll<void> pv = sluice::pending;
  EXPECT_TRUE(v.is_ready());
  EXPECT_TRUE(pv.is_pending());
  v.value();
  sluice::Poll<std::unique_ptr<int>> u = std::make_unique<int>(3);
  std::unique_ptr<int> taken = std::move(u).value();
  EXPECT_EQ(*taken, 3);
  static_assert(!std::is_copy_constructible_v<sluice::Poll<std::unique_ptr<int>>>);
}

struct MyErr {
  int code;
};

TEST(Result, ValueAndError) {
  sluice::Result<int, MyErr> ok = 5;
  sluice::Result<int, MyErr> bad = sluice::Err(MyErr{9});
  EXPECT_TRUE(ok.has_value());
  EXPECT_FALSE(ok.is_err());
  EXPECT_EQ(*ok, 5);
  EXPECT_EQ(ok.value(), 5);
  EXPECT_TRUE(bad.is_err());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error().code, 9);
  EXPECT_THROW((void)bad.value(), sluice::BadResultAccess);
  EXPECT_THROW((void)bad.value(), std::logic_error);
  EXPECT_EQ(std::move(bad).value_or(1), 1);
  EXPECT_EQ((sluice::Result<int, MyErr>(4).value_or(1)), 4);
  sluice::Result<int, MyErr> def;
  EXPECT_TRUE(def.has_value());
  EXPECT_EQ(*def, 0);
}

TEST(Result, SameValueAndErrorType) {
  sluice::Result<int, int> v = 1;
  sluice::Result<int, int> e = sluice::Err(2);
  EXPECT_TRUE(v.has_value());
  EXPECT_EQ(*v, 1);
  EXPECT_TRUE(e.is_err());
  EXPECT_EQ(e.error(), 2);
}

TEST(Result, Void) {
  sluice::Result<void, std::string> ok;
  sluice::Result<void, std::string> bad = sluice::Err(std::string("no"));
  EXPECT_TRUE(ok.has_value());
  ok.value();
  EXPECT_TRUE(bad.is_err());
  EXPECT_EQ(bad.error(), "no");
  EXPECT_THROW(bad.value(), sluice::BadResultAccess);
  std::string moved = std::move(bad).error();
  EXPECT_EQ(moved, "no");
}

TEST(Result, MoveOnlyValueAndArrow) {
  sluice::Result<std::unique_ptr<int>, int> r = std::make_unique<int>(8);
  EXPECT_EQ(**r, 8);
  auto p = std::move(r).value();
  EXPECT_EQ(*p, 8);
  sluice::Result<std::string, int> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
}

}  // namespace

// Result<void, E> copies, moves and assigns member by member (its special members are
// user-provided, see result.hpp): every combination keeps the state and the error.
TEST(Result, VoidCopiesMovesAndAssignsBothStates) {
  using R = sluice::Result<void, std::string>;
  static_assert(!std::is_trivially_copyable_v<sluice::Result<void, int>>);
  using Owning = sluice::Result<void, std::unique_ptr<int>>;
  static_assert(!std::is_copy_constructible_v<Owning> && !std::is_copy_assignable_v<Owning>);
  static_assert(std::is_nothrow_move_constructible_v<Owning>);
  const R ok;
  const R err = sluice::Err(std::string("bad"));
  R c1(ok);
  R c2(err);
  EXPECT_TRUE(c1.has_value());
  ASSERT_TRUE(c2.is_err());
  EXPECT_EQ(c2.error(), "bad");
  R m(std::move(c2));
  ASSERT_TRUE(m.is_err());
  EXPECT_EQ(m.error(), "bad");
  c1 = err;  // ok <- err
  ASSERT_TRUE(c1.is_err());
  EXPECT_EQ(c1.error(), "bad");
  c1 = ok;  // err <- ok
  EXPECT_TRUE(c1.has_value());
  R target = sluice::Err(std::string("old"));
  target = R(sluice::Err(std::string("new")));  // err <- err, moved
  EXPECT_EQ(target.error(), "new");
  target = R();  // err <- ok, moved
  EXPECT_TRUE(target.has_value());
  R& self = target;
  target = self;  // self-assignment keeps the state
  EXPECT_TRUE(target.has_value());
  sluice::Result<void, std::unique_ptr<int>> owning = sluice::Err(std::make_unique<int>(4));
  auto moved = std::move(owning);
  ASSERT_TRUE(moved.is_err());
  EXPECT_EQ(*moved.error(), 4);
}
