# cmake -DEXE=<program> -DEXPECTED=<file> [-DSORTED=ON] -P RunExample.cmake
# Runs EXE, requires exit code 0, and compares its stdout with EXPECTED line by
# line; trailing whitespace on each line and trailing blank lines are ignored.
# With SORTED=ON both sides are sorted first (for output of concurrent tasks).
# Stderr is shown but not compared.
foreach(var EXE EXPECTED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RunExample.cmake: -D${var}=... is required")
  endif()
endforeach()

execute_process(
  COMMAND "${EXE}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE actual
  ERROR_VARIABLE err)

if(err)
  message("---- stderr of ${EXE} ----\n${err}")
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}\n---- stdout ----\n${actual}")
endif()

file(READ "${EXPECTED}" expected)

# Text -> list of lines. Brackets and semicolons are escaped so that CMake
# list handling keeps each line intact.
function(_to_lines text out)
  string(REPLACE "\r\n" "\n" text "${text}")
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE ";" "\\;" text "${text}")
  string(REPLACE "[" "<LBR>" text "${text}")
  string(REPLACE "]" "<RBR>" text "${text}")
  string(REGEX REPLACE "[ \t]+\n" "\n" text "${text}")
  string(REGEX REPLACE "[ \t\n]+$" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  if(SORTED)
    list(SORT lines)
  endif()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

_to_lines("${actual}" got)
_to_lines("${expected}" want)

list(LENGTH got n_got)
list(LENGTH want n_want)
set(i 0)
set(first_diff -1)
while(i LESS n_got OR i LESS n_want)
  set(g "<missing>")
  set(w "<missing>")
  if(i LESS n_got)
    list(GET got ${i} g)
  endif()
  if(i LESS n_want)
    list(GET want ${i} w)
  endif()
  if(NOT g STREQUAL w)
    set(first_diff ${i})
    break()
  endif()
  math(EXPR i "${i} + 1")
endwhile()

if(first_diff GREATER_EQUAL 0)
  math(EXPR lineno "${first_diff} + 1")
  foreach(v g w)
    string(REPLACE "<LBR>" "[" ${v} "${${v}}")
    string(REPLACE "<RBR>" "]" ${v} "${${v}}")
  endforeach()
  set(how "")
  if(SORTED)
    set(how " (after sorting)")
  endif()
  message(FATAL_ERROR
    "${EXE}: stdout differs from ${EXPECTED}${how} at line ${lineno}\n"
    "  expected: |${w}|\n"
    "  actual:   |${g}|\n"
    "---- full stdout ----\n${actual}")
endif()
message(STATUS "${EXE}: output matches ${EXPECTED} (${n_got} lines)")
