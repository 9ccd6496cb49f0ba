// sluice::net::io_category: see include/sluice/net/io_error.hpp.
#include <string>

#include <sluice/net/io_error.hpp>

namespace sluice::net {

namespace {
class IoCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.io"; }
  std::string message(int v) const override {
    switch (static_cast<IoErrc>(v)) {
      case IoErrc::runtime_shutdown:
        return "the runtime of this socket has shut down";
      case IoErrc::write_zero:
        return "failed to write the whole buffer (the socket accepted 0 bytes)";
    }
    return "unknown sluice.io error";
  }
};
}  // namespace

const std::error_category& io_category() noexcept {
  static const IoCategory category;
  return category;
}

}  // namespace sluice::net
