# Install rules, exported CMake package (sluice::sluice) and sluice.pc.
# Consumers: find_package(sluice 0.1 CONFIG REQUIRED) + target_link_libraries(app PRIVATE sluice::sluice)
#       or:  pkg-config --cflags --libs sluice   (add -std=c++20 yourself)
include(CMakePackageConfigHelpers)

set(SLUICE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/sluice"
    CACHE STRING "Where sluiceConfig.cmake is installed (relative to the prefix)")

install(
  TARGETS sluice
  EXPORT sluiceTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(
  EXPORT sluiceTargets
  NAMESPACE sluice::
  FILE sluiceTargets.cmake
  DESTINATION "${SLUICE_INSTALL_CMAKEDIR}")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/sluiceConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sluiceConfig.cmake"
  INSTALL_DESTINATION "${SLUICE_INSTALL_CMAKEDIR}")

write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/sluiceConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)

install(FILES "${PROJECT_BINARY_DIR}/sluiceConfig.cmake" "${PROJECT_BINARY_DIR}/sluiceConfigVersion.cmake"
        DESTINATION "${SLUICE_INSTALL_CMAKEDIR}")

# pkg-config. Relocatable: prefix is computed from ${pcfiledir}, so
# `cmake --install build --prefix /anywhere` yields a working sluice.pc.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SLUICE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _pc_up "/__p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/__p")
  string(REGEX REPLACE "/$" "" _pc_up "${_pc_up}")
  set(SLUICE_PC_PREFIX "\${pcfiledir}/${_pc_up}")
endif()
foreach(_kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_kind}}")
    set(SLUICE_PC_${_kind} "${CMAKE_INSTALL_${_kind}}")
  else()
    set(SLUICE_PC_${_kind} "\${prefix}/${CMAKE_INSTALL_${_kind}}")
  endif()
endforeach()
configure_file("${CMAKE_CURRENT_LIST_DIR}/sluice.pc.in" "${PROJECT_BINARY_DIR}/sluice.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/sluice.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
