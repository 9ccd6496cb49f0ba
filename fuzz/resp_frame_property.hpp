// What must hold of the RESP2 parser for ANY input, in one function shared by the fuzz target
// (fuzz/resp_frame.cpp) and the corpus replay test (tests/mini_redis/resp_corpus_test.cpp).
//
// For both parser modes (inline commands on and off):
//   1. Frames are read off the input one after another until the parser stops (incomplete or a
//      protocol error); every frame consumes at least one byte and no more than is left.
//   2. Round trip: write_frame(frame) parses back (inline off) to an equal frame, consuming
//      exactly the bytes written.
//   3. Command::from_frame never fails badly; a command it returns survives to_frame/from_frame.
//   4. Feeding the same input one byte at a time to one FrameParser yields the same frames,
//      byte counts and final error (kind and offset) as parsing it whole.
// to_string() and message() are called on everything to exercise them too.
//
// Example:
//   std::string failure = mini_redis_fuzz::check_resp_properties("*1\r\n$4\r\nPING\r\n");
//   assert(failure.empty());
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <mini_redis/command.hpp>
#include <mini_redis/frame.hpp>
#include <mini_redis/frame_parser.hpp>

namespace mini_redis_fuzz {

/// The frames read off an input and why reading stopped.
struct Run {
  std::vector<mini_redis::ParsedFrame> frames;
  mini_redis::FrameError end = mini_redis::FrameError::incomplete();
};

/// Parses `data` as one buffer: frame after frame, dropping each frame's bytes.
inline Run run_whole(std::string_view data, mini_redis::ParserOptions options) {
  Run run;
  mini_redis::FrameParser parser(options);
  std::size_t off = 0;
  for (;;) {
    auto r = parser.parse(data.substr(off));
    if (!r) {
      run.end = r.error();
      return run;
    }
    off += r->consumed;
    run.frames.push_back(std::move(*r));
    if (run.frames.back().consumed == 0 || off > data.size()) return run;  // reported by caller
  }
}

/// Parses `data` as it would arrive one byte per read.
inline Run run_bytewise(std::string_view data, mini_redis::ParserOptions options) {
  Run run;
  mini_redis::FrameParser parser(options);
  std::string buf;
  for (const char c : data) {
    buf += c;
    for (;;) {
      auto r = parser.parse(buf);
      if (r) {
        if (r->consumed == 0 || r->consumed > buf.size()) return run;
        buf.erase(0, r->consumed);
        run.frames.push_back(std::move(*r));
        continue;
      }
      if (!r.error().is_incomplete()) {
        run.end = r.error();
        return run;
      }
      break;
    }
  }
  return run;
}

/// Checks the properties at the top of this file; returns "" or what failed.
inline std::string check_resp_properties(std::string_view data) {
  for (const bool inline_commands : {true, false}) {
    const mini_redis::ParserOptions options{inline_commands};
    const std::string mode = inline_commands ? " (inline on)" : " (inline off)";
    const Run whole = run_whole(data, options);
    (void)whole.end.message();

    std::size_t total = 0;
    for (const auto& parsed : whole.frames) {
      if (parsed.consumed == 0) return "a frame consumed no bytes" + mode;
      total += parsed.consumed;
      if (total > data.size()) return "frames consumed more bytes than the input has" + mode;
      (void)parsed.frame.to_string();

      const std::string wire = mini_redis::encode(parsed.frame);
      auto again = mini_redis::parse_frame(wire, mini_redis::ParserOptions{false});
      if (!again) return "re-parse of written frame failed: " + again.error().message() + mode;
      if (again->consumed != wire.size()) return "re-parse consumed a different size" + mode;
      if (!(again->frame == parsed.frame)) {
        return "round trip changed the frame: " + parsed.frame.to_string() + " vs " +
               again->frame.to_string() + mode;
      }

      auto cmd = mini_redis::Command::from_frame(parsed.frame);
      if (!cmd) {
        (void)cmd.error().to_frame();
        continue;
      }
      (void)cmd->name();
      auto cmd2 = mini_redis::Command::from_frame(cmd->to_frame());
      if (!cmd2) return "command round trip failed: " + cmd2.error().message() + mode;
      if (!(*cmd2 == *cmd)) return "command round trip changed the command" + mode;
    }

    const Run bytewise = run_bytewise(data, options);
    if (bytewise.frames.size() != whole.frames.size()) {
      return "byte-at-a-time gave " + std::to_string(bytewise.frames.size()) + " frames, whole " +
             std::to_string(whole.frames.size()) + mode;
    }
    for (std::size_t i = 0; i < whole.frames.size(); ++i) {
      if (bytewise.frames[i].consumed != whole.frames[i].consumed ||
          !(bytewise.frames[i].frame == whole.frames[i].frame)) {
        return "byte-at-a-time frame " + std::to_string(i) + " differs" + mode;
      }
    }
    if (!(bytewise.end == whole.end)) {
      return "byte-at-a-time ended with '" + bytewise.end.message() + "' at " +
             std::to_string(bytewise.end.offset()) + ", whole with '" + whole.end.message() +
             "' at " + std::to_string(whole.end.offset()) + mode;
    }
  }
  return {};
}

}  // namespace mini_redis_fuzz
