# sluice_add_header_check(<target> <include_root> <headers>)
#
# STYLE habit 2: every public header must compile on its own. For each header
# under <include_root>/sluice/ we generate a one-line TU `#include <sluice/...>`
# and compile them all into the OBJECT library <target>.
#
# Headers under sluice/detail/model/ need Relacy (SLUICE_MODEL=1) and are
# skipped here; the `model` preset checks them (see tests/CMakeLists.txt).
function(sluice_add_header_check target include_root headers)
  set(_tus "")
  foreach(hdr IN LISTS headers)
    file(RELATIVE_PATH rel "${include_root}" "${hdr}")
    if(rel MATCHES "^sluice/detail/model/")
      continue()
    endif()
    set(tu "${CMAKE_CURRENT_BINARY_DIR}/header_check/${rel}.cpp")
    # file(CONFIGURE) only rewrites when the content changes: no needless rebuilds.
    file(CONFIGURE OUTPUT "${tu}" CONTENT "#include <${rel}>  // IWYU pragma: keep\n")
    list(APPEND _tus "${tu}")
  endforeach()
  if(NOT _tus)
    message(STATUS "sluice: no public headers yet; ${target} is empty")
    add_custom_target(${target})
    return()
  endif()
  add_library(${target} OBJECT ${_tus})
  target_link_libraries(${target} PRIVATE sluice::sluice)
  sluice_target_warnings(${target})
endfunction()
