// sluice::run_main (the `#[tokio::main]` of sluice) and the error text Result::value() throws:
// exit statuses for each output kind, and the "error: ..." line a failure prints on stderr.
#include <stdexcept>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

#include <sluice/sluice.hpp>

namespace {

struct CodedError {  // an error with no text of its own
  int code;
};

struct TextError {
  std::string text;
  const std::string& message() const noexcept { return text; }
};

std::string what_of_value(auto&& result) {
  try {
    (void)result.value();
  } catch (const sluice::BadResultAccess& e) {
    return e.what();
  }
  return "no exception";
}

TEST(ResultValueError, NamesTheErrorWhenItDescribesItself) {
  EXPECT_EQ(what_of_value(sluice::Result<int, TextError>(sluice::Err(TextError{"disk full"}))),
            "sluice::Result: value() called on an error: disk full");
  EXPECT_EQ(what_of_value(sluice::Result<void, std::error_code>(
                sluice::Err(std::make_error_code(std::errc::connection_refused)))),
            "sluice::Result: value() called on an error: Connection refused");
  EXPECT_EQ(what_of_value(sluice::Result<int, sluice::oneshot::RecvError>(
                sluice::Err(sluice::oneshot::RecvError{}))),
            "sluice::Result: value() called on an error: channel closed");
  EXPECT_EQ(what_of_value(sluice::Result<int, std::string>(sluice::Err(std::string("no")))),
            "sluice::Result: value() called on an error: no");
  EXPECT_EQ(what_of_value(sluice::Result<int, CodedError>(sluice::Err(CodedError{3}))),
            "sluice::Result: value() called on an error");
  EXPECT_EQ(what_of_value(sluice::Result<int, CodedError>(5)), "no exception");
}

sluice::Task<void> nothing() { co_return; }
sluice::Task<int> status(int s) { co_return s; }
sluice::Task<int> spawned_status() {  // spawn works inside: run_main's runtime is current
  co_return (co_await sluice::spawn(status(9))).value();
}
sluice::Task<void> throws() {
  throw std::runtime_error("boom");
  co_return;
}
sluice::Task<int> throws_other() {
  throw 7;
  co_return 0;
}
sluice::Task<sluice::Result<void, TextError>> fails() { co_return sluice::Err(TextError{"bad"}); }
sluice::Task<sluice::Result<int, TextError>> succeeds() { co_return 4; }
sluice::Task<sluice::Result<void, CodedError>> fails_silently() {
  co_return sluice::Err(CodedError{1});
}

int run_capturing_stderr(auto&& fut, std::string& err) {
  testing::internal::CaptureStderr();
  int s = sluice::run_main(std::move(fut));
  err = testing::internal::GetCapturedStderr();
  return s;
}

TEST(RunMain, VoidGivesZeroAndIntGivesItself) {
  std::string err;
  EXPECT_EQ(run_capturing_stderr(nothing(), err), 0);
  EXPECT_EQ(err, "");
  EXPECT_EQ(run_capturing_stderr(status(3), err), 3);
  EXPECT_EQ(run_capturing_stderr(spawned_status(), err), 9);
  EXPECT_EQ(err, "");
}

TEST(RunMain, AnExceptionIsPrintedAndGivesOne) {
  std::string err;
  EXPECT_EQ(run_capturing_stderr(throws(), err), 1);
  EXPECT_EQ(err, "error: boom\n");
  EXPECT_EQ(run_capturing_stderr(throws_other(), err), 1);
  EXPECT_EQ(err, "error: an exception that is not a std::exception\n");
}

TEST(RunMain, AResultErrorIsPrintedAndGivesOne) {
  std::string err;
  EXPECT_EQ(run_capturing_stderr(fails(), err), 1);
  EXPECT_EQ(err, "error: bad\n");
  EXPECT_EQ(run_capturing_stderr(fails_silently(), err), 1);
  EXPECT_EQ(err, "error\n");
  EXPECT_EQ(run_capturing_stderr(succeeds(), err), 0);
  EXPECT_EQ(err, "");
}

TEST(RunMain, UnwrappingAFailedResultReportsTheError) {  // the quick start's connect pattern
  std::string err;
  auto unwrap = []() -> sluice::Task<void> {
    sluice::Result<int, std::error_code> r =
        sluice::Err(std::make_error_code(std::errc::connection_refused));
    (void)r.value();
    co_return;
  };
  EXPECT_EQ(run_capturing_stderr(unwrap(), err), 1);
  EXPECT_EQ(err, "error: sluice::Result: value() called on an error: Connection refused\n");
}

}  // namespace
