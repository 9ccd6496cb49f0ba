# libFuzzer targets (`fuzz` preset: clang++-14, SLUICE_SANITIZE=fuzzer-no-link,address,undefined).
#
# If fuzz/CMakeLists.txt exists, its owner is in charge. Otherwise every
# fuzz/*.cpp that defines LLVMFuzzerTestOneInput becomes `fuzz_<stem>`, linked
# with -fsanitize=fuzzer. Run: build/fuzz/fuzz/fuzz_<stem> fuzz/corpus/<stem>
set(_fuzz_dir "${PROJECT_SOURCE_DIR}/fuzz")
if(EXISTS "${_fuzz_dir}/CMakeLists.txt")
  add_subdirectory("${_fuzz_dir}" "${PROJECT_BINARY_DIR}/fuzz")
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(WARNING "sluice: SLUICE_FUZZ needs clang (libFuzzer); no fuzz targets")
  return()
endif()

file(GLOB _fuzz_srcs CONFIGURE_DEPENDS "${_fuzz_dir}/*.cpp")
if(NOT _fuzz_srcs)
  message(STATUS "sluice: fuzz/ has no .cpp yet; no fuzz targets")
  return()
endif()
add_custom_target(sluice_fuzzers)
foreach(src IN LISTS _fuzz_srcs)
  get_filename_component(stem "${src}" NAME_WLE)
  add_executable(fuzz_${stem} "${src}")
  target_link_libraries(fuzz_${stem} PRIVATE sluice::sluice)
  target_include_directories(fuzz_${stem} PRIVATE "${_fuzz_dir}")
  target_link_options(fuzz_${stem} PRIVATE -fsanitize=fuzzer)
  set_target_properties(fuzz_${stem} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/fuzz")
  sluice_target_warnings(fuzz_${stem})
  add_dependencies(sluice_fuzzers fuzz_${stem})
endforeach()
