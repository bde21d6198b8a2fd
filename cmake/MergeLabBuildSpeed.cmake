# Build speed (a clean build on 2 cores is most of `make test`). Nothing here changes what is compiled or
# tested, only how:
#  - unity builds for the libraries (mergecore, mergewidgets): their sources are compiled in batches of
#    MERGELAB_UNITY_BATCH files, so the heavy headers (Eigen, nlohmann/json) are parsed and their inline
#    templates compiled once per batch instead of once per file. Sources of a batch share one translation
#    unit, so a file-local name (a static function, an anonymous namespace's constant) must be unique
#    within the library. The executables stay file by file: each command file of app/commands defines its
#    own `registrar`, and test files their own small helpers;
#  - precompiled headers: the standard and third-party headers most files include, once per target, or
#    once for all unit test binaries and once for all benchmarks;
#  - lld instead of ld.bfd when the compiler accepts it (Debian's lld package).
# Each can be switched off (-DMERGELAB_UNITY=OFF, -DMERGELAB_PCH=OFF, -DMERGELAB_LLD=OFF), e.g. to check
# that every file still compiles on its own.
option(MERGELAB_UNITY "Compile the libraries' sources in batches (unity build)" ON)
set(MERGELAB_UNITY_BATCH 8 CACHE STRING "Source files per unity batch")
option(MERGELAB_PCH "Precompile the heavy third-party headers" ON)
option(MERGELAB_LLD "Link with lld when available" ON)

# ccache serves compilations that use a precompiled header only with this sloppiness (ccache's manual,
# "Precompiled headers"); without it every such compilation would be a cache miss.
if(MERGELAB_PCH AND CMAKE_CXX_COMPILER_LAUNCHER)
  list(GET CMAKE_CXX_COMPILER_LAUNCHER 0 mergelab_launcher)
  get_filename_component(mergelab_launcher ${mergelab_launcher} NAME)
  if(mergelab_launcher STREQUAL "ccache")
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros
      ${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
endif()

if(MERGELAB_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld MERGELAB_HAVE_LLD)
  if(MERGELAB_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

set(MERGELAB_PCH_STD <algorithm> <cmath> <cstdint> <filesystem> <fstream> <functional> <map> <memory>
  <optional> <sstream> <stdexcept> <string> <string_view> <vector>)
set(MERGELAB_PCH_CORE <Eigen/Core> <Eigen/Dense> <nlohmann/json.hpp>)

# For every executable and static library of the project's subdirectories: a unity build for the static
# libraries; for each target that uses the engine (links mergecore or Eigen, or is mergecore) a
# precompiled header of the standard headers most files include, Eigen, nlohmann/json, and GoogleTest /
# Google Benchmark / ImGui when it links them.
function(mergelab_speed_up_targets)
  get_property(dirs DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY SUBDIRECTORIES)
  foreach(dir ${dirs})
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(t ${targets})
      get_target_property(type ${t} TYPE)
      if(MERGELAB_UNITY AND type STREQUAL "STATIC_LIBRARY")
        set_target_properties(${t} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${MERGELAB_UNITY_BATCH})
      endif()
      if(NOT MERGELAB_PCH OR (NOT type STREQUAL "EXECUTABLE" AND NOT type STREQUAL "STATIC_LIBRARY"))
        continue()
      endif()
      get_target_property(libs ${t} LINK_LIBRARIES)
      if(NOT libs)
        set(libs "")
      endif()
      set(headers "")
      if(t STREQUAL "mergecore" OR "mergecore" IN_LIST libs OR "Eigen3::Eigen" IN_LIST libs)
        list(APPEND headers ${MERGELAB_PCH_STD} ${MERGELAB_PCH_CORE})
      endif()
      if("GTest::gtest" IN_LIST libs)
        list(APPEND headers <gtest/gtest.h>)
      endif()
      if("GTest::gmock" IN_LIST libs)
        list(APPEND headers <gmock/gmock.h>)
      endif()
      if("benchmark::benchmark" IN_LIST libs)
        list(APPEND headers <benchmark/benchmark.h>)
      endif()
      # Targets without a heavy header (the ImGui widgets) gain nothing from one.
      if(headers AND ("PkgConfig::IMGUI" IN_LIST libs OR "mergewidgets" IN_LIST libs))
        list(APPEND headers <imgui.h>)
      endif()
      if(NOT headers)
        continue()
      endif()
      # Targets of one kind (the unit test binaries, the benchmarks) compile with the same flags and
      # headers: the first one's precompiled header serves them all, so a small target does not pay for
      # its own.
      if(t MATCHES "^unit_")
        set(kind unit)
      elseif(t MATCHES "_bench$")
        set(kind bench)
      else()
        set(kind ${t})
      endif()
      if(DEFINED pch_of_${kind})
        target_precompile_headers(${t} REUSE_FROM ${pch_of_${kind}})
      else()
        target_precompile_headers(${t} PRIVATE ${headers})
        set(pch_of_${kind} ${t})
      endif()
    endforeach()
  endforeach()
endfunction()
