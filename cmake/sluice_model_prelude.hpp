// Force-included (-include) first in every SLUICE_MODEL=1 translation unit
// (tests/model/*.cpp and the model header check).
//
// <relacy/relacy.hpp> #defines memory_order_*, new, delete, malloc, free, assert
// and errno as macros. Two consequences, both handled here:
//  1. Any standard header first included *after* it is mangled (e.g. <atomic>:
//     "invalid pure specifier"). So every standard header sluice may use is
//     included before Relacy; include guards make later #includes no-ops.
//     Add a header here if a model build fails inside /usr/include/c++.
//  2. `#define delete` breaks every `X(const X&) = delete;` and `#define new`
//     every placement new in sluice headers. We #undef new/delete and the
//     allocation macros after Relacy: model tests therefore do NOT get Relacy's
//     heap tracking (leaks / use-after-free of new'd objects). Model shared
//     state with rl::var<> and the detail/sync.hpp atomics facade, which Relacy
//     still checks. memory_order_*, assert (-> RL_ASSERT) and errno stay.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <climits>
#include <compare>
#include <concepts>
#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <relacy/relacy.hpp>

#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
