# cmake -DCXX=<compiler> -DCOMPILER_KIND=gcc|clang -DSRC=<file.cpp>
#       -DINCLUDE_DIRS=<dir>|<dir>... -P CompileFail.cmake
# Passes when SRC fails to compile (-std=c++20 -fsyntax-only) and the output
# matches every `// expect:` (and `// expect-<kind>:`) regex in SRC.
# Regexes are CMake regexes (no \d, \s or non-greedy: use [0-9], [ \t], .).
foreach(var CXX COMPILER_KIND SRC INCLUDE_DIRS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "CompileFail.cmake: -D${var}=... is required")
  endif()
endforeach()

string(REPLACE "|" ";" _dirs "${INCLUDE_DIRS}")
# Plain ASCII quotes and no colour, so `// expect:` regexes are stable.
set(ENV{LC_ALL} C)
set(_args -std=c++20 -fsyntax-only -fdiagnostics-color=never)
foreach(d IN LISTS _dirs)
  list(APPEND _args "-I${d}")
endforeach()

execute_process(
  COMMAND "${CXX}" ${_args} "${SRC}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)

if(rc EQUAL 0)
  message(FATAL_ERROR "compile_fail: ${SRC} COMPILED, but it must not.")
endif()

# A missing header is a broken test, not the error we want to see.
if(out MATCHES "fatal error: [^\n]*(No such file or directory|file not found)")
  message(FATAL_ERROR "compile_fail: ${SRC} failed only because an #include is missing:\n${out}")
endif()

file(STRINGS "${SRC}" _expect_lines REGEX "^[ \t]*//[ \t]*expect(-[a-z]+)?:")
set(_checked 0)
foreach(line IN LISTS _expect_lines)
  string(REGEX MATCH "^[ \t]*//[ \t]*expect(-[a-z]+)?:[ \t]*(.*)$" _m "${line}")
  set(kind "${CMAKE_MATCH_1}")
  set(regex "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "[ \t]+$" "" regex "${regex}")
  if(kind AND NOT kind STREQUAL "-${COMPILER_KIND}")
    continue()
  endif()
  if(NOT out MATCHES "${regex}")
    message(FATAL_ERROR "compile_fail: ${SRC} failed to compile as it should, but the output "
                        "does not match `${regex}`:\n${out}")
  endif()
  math(EXPR _checked "${_checked} + 1")
endforeach()

message(STATUS "compile_fail: ${SRC} rejected as expected (${_checked} expectation(s) matched)")
