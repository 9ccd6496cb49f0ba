/// @file
/// detail::describe_error(e): a line of text for an error value, for messages such as the one
/// Result::value() throws. Uses the error's own words when it has them: `message()` (sluice and
/// mini-redis errors, std::error_code), else `what()` (exceptions), else a string-like error
/// itself; otherwise there is nothing to say and the text is empty.
#pragma once

#include <string>
#include <type_traits>

namespace sluice::detail {

template <class E>
std::string describe_error(const E& e) {
  if constexpr (requires { std::string(e.message()); }) {
    return std::string(e.message());
  } else if constexpr (requires { std::string(e.what()); }) {
    return std::string(e.what());
  } else if constexpr (std::is_constructible_v<std::string, const E&>) {
    return std::string(e);
  } else {
    return {};
  }
}

}  // namespace sluice::detail
