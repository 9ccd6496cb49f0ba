# Driver for tests/consumer (see tests/consumer/CMakeLists.txt).
#   -DMODE=install   -DBUILD_TREE=<sluice build dir> -DPREFIX=<dir>
#   -DMODE=project   -DSOURCE=<consumer project> -DBINARY=<dir> -DGENERATOR=.. -DMAKE_PROGRAM=..
#                    -DCXX=.. [-DEXTRA=<one -D argument for the consumer configure>]
#   -DMODE=pkgconfig -DPREFIX=<dir> -DSOURCE=<main.cpp> -DBINARY=<dir> -DCXX=..
function(run)
  string(JOIN " " _shown ${ARGV})
  message(STATUS "+ ${_shown}")
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${_shown}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "install")
  # A fresh prefix every time, so a header deleted from the tree cannot linger.
  file(REMOVE_RECURSE "${PREFIX}")
  run("${CMAKE_COMMAND}" --install "${BUILD_TREE}" --prefix "${PREFIX}")
  if(NOT IS_DIRECTORY "${PREFIX}/include/sluice")
    message(FATAL_ERROR "install is missing include/sluice/ under ${PREFIX}")
  endif()
  # libdir may be lib, lib64 or lib/<multiarch> (GNUInstallDirs): search for them.
  foreach(f sluiceConfig.cmake sluiceConfigVersion.cmake sluiceTargets.cmake sluice.pc libsluice.a)
    file(GLOB_RECURSE _found "${PREFIX}/${f}")
    if(NOT _found)
      message(FATAL_ERROR "install is missing ${f} under ${PREFIX}")
    endif()
  endforeach()

elseif(MODE STREQUAL "project")
  set(_cfg "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}"
           # -O0, no -g: the cheapest build that still compiles and links everything for real.
           -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=)
  if(MAKE_PROGRAM)
    list(APPEND _cfg "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  if(EXTRA)
    list(APPEND _cfg "${EXTRA}")
  endif()
  run(${_cfg})
  run("${CMAKE_COMMAND}" --build "${BINARY}" --parallel 2)
  run("${BINARY}/consumer")
  message(STATUS "consumer output:\n${run_output}")

elseif(MODE STREQUAL "pkgconfig")
  find_program(PKG_CONFIG pkg-config REQUIRED)
  file(GLOB_RECURSE _pcs "${PREFIX}/sluice.pc")
  if(NOT _pcs)
    message(FATAL_ERROR "no sluice.pc under ${PREFIX}")
  endif()
  list(GET _pcs 0 _pc)
  get_filename_component(_pcdir "${_pc}" DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} "${_pcdir}")
  run("${PKG_CONFIG}" --cflags --libs sluice)
  string(STRIP "${run_output}" _flags)
  separate_arguments(_flags UNIX_COMMAND "${_flags}")
  file(MAKE_DIRECTORY "${BINARY}")
  run("${CXX}" -std=c++20 "${SOURCE}" -o "${BINARY}/consumer" ${_flags})
  run("${BINARY}/consumer")
  message(STATUS "consumer output:\n${run_output}")

else()
  message(FATAL_ERROR "ConsumerTest.cmake: unknown MODE '${MODE}'")
endif()
