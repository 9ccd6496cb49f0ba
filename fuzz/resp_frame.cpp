// libFuzzer target for the RESP2 layer of mini_redis: FrameParser (both modes, whole buffer and
// one byte at a time), write_frame round trips and Command::from_frame. The properties are in
// resp_frame_property.hpp; any violation aborts with a message.
//
// Run: make fuzz-run   (or build/fuzz/fuzz/fuzz_resp_frame -dict=fuzz/resp_frame.dict <corpus dir>)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "resp_frame_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string failure = mini_redis_fuzz::check_resp_properties(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "fuzz_resp_frame: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
