# Precompiled headers for the two large header-only libraries nearly every file includes:
# nlohmann/json (about 24,000 lines) and, in the test executables, Catch2 (about 17,000). Parsing them
# again in every translation unit was most of the compile time of a clean build, which CI does on a
# fresh machine four times (dev, clang, libc++, release), on 2 cores.
#
# Skipped when a compiler launcher is set (CMAKE_CXX_COMPILER_LAUNCHER=ccache, for local work in
# several worktrees): ccache does not cache a PCH's users without extra sloppiness settings, and a
# warm cache is faster than a PCH anyway. CARNET_PCH=OFF turns them off for any build.
option(CARNET_PCH "Precompile nlohmann/json and Catch2 per target" ON)

# carnet_precompile(TARGET HEADER...): HEADER as in target_precompile_headers (<name> for a system
# header). Each target gets its own PCH, built with its own flags (sanitizers, -stdlib=libc++), so
# that no target reuses a PCH compiled with flags it does not have.
function(carnet_precompile target)
  if(NOT CARNET_PCH OR CMAKE_CXX_COMPILER_LAUNCHER)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${ARGN})
endfunction()

# Every executable of the calling directory that links the Catch2 main gets Catch2 and json.
function(carnet_precompile_tests)
  get_property(targets DIRECTORY PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "EXECUTABLE")
      continue()
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    if("carnet_catch_main" IN_LIST libs)
      carnet_precompile(${target} <catch2/catch.hpp> <nlohmann/json.hpp>)
    endif()
  endforeach()
endfunction()
