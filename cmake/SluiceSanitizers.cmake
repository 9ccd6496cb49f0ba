# SLUICE_SANITIZE=address,undefined | thread | fuzzer-no-link,address ...
# Applied directory-wide (library, tests, examples) so every TU we build is
# instrumented. Optimisation level comes from the preset (-O1 -g for asan/tsan).
if(SLUICE_SANITIZE)
  set(_san_flags "-fsanitize=${SLUICE_SANITIZE}" -fno-omit-frame-pointer)
  if(SLUICE_SANITIZE MATCHES "undefined")
    # Make UBSan findings fatal even when a binary is run outside ctest.
    list(APPEND _san_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_san_flags})
  # The link step must not see fuzzer-no-link's "no-link" half twice; libFuzzer
  # targets add -fsanitize=fuzzer themselves.
  string(REPLACE "fuzzer-no-link," "" _san_link "${SLUICE_SANITIZE}")
  string(REPLACE ",fuzzer-no-link" "" _san_link "${_san_link}")
  string(REPLACE "fuzzer-no-link" "" _san_link "${_san_link}")
  if(_san_link)
    add_link_options("-fsanitize=${_san_link}")
  endif()
  message(STATUS "sluice: sanitizers: ${SLUICE_SANITIZE}")
endif()
