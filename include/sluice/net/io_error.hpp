/// @file
/// sluice::net I/O errors: std::error_code values, never exceptions.
///
/// Socket operations return `IoResult<T>` = `sluice::Result<T, std::error_code>`. Errors from the
/// kernel keep their errno in std::system_category() (compare with std::errc::connection_refused
/// etc.); the few errors sluice makes itself are in `io_category()`:
/// - IoErrc::runtime_shutdown: the runtime the socket is registered with has shut down;
/// - IoErrc::write_zero: write_all: the kernel accepted zero bytes.
///
/// Example:
/// ```cpp
/// auto r = co_await sluice::net::TcpStream::connect(addr);
/// if (!r && r.error() == std::errc::connection_refused) std::cout << "nobody listens\n";
/// ```
#pragma once

#include <system_error>
#include <type_traits>

#include <sluice/result.hpp>

namespace sluice::net {

/// A value or a std::error_code: what every socket operation returns.
template <class T>
using IoResult = Result<T, std::error_code>;

/// Errors sluice reports itself (category io_category()). An error-code enum
/// (std::is_error_code_enum is specialised for it), so `ec == IoErrc::write_zero` works.
enum class IoErrc {
  runtime_shutdown = 1,  ///< the socket's runtime has shut down
  write_zero = 2,        ///< write_all could not make progress (the kernel accepted 0 bytes)
};

/// The category of IoErrc ("sluice.io").
const std::error_category& io_category() noexcept;

/// Makes a std::error_code from an IoErrc (found by ADL: `std::error_code ec = IoErrc::...`).
inline std::error_code make_error_code(IoErrc e) noexcept {
  return {static_cast<int>(e), io_category()};
}

/// std::error_code from an errno value (system_category).
inline std::error_code errno_code(int err) noexcept { return {err, std::system_category()}; }

}  // namespace sluice::net

/// @cond
// Lets an IoErrc convert to std::error_code; hidden from Doxygen, which has no scope for std.
template <>
struct std::is_error_code_enum<sluice::net::IoErrc> : std::true_type {};
/// @endcond
