# Build speed (a clean build on 2 cores is most of `make test`). Nothing here changes what is compiled or
# tested, only how:
#  - unity builds: each target's sources are compiled in batches of MERGELAB_UNITY_BATCH files, so the
#    heavy headers (Eigen, nlohmann/json, GoogleTest) are parsed and their inline templates compiled once
#    per batch instead of once per file. Sources share a batch, so file-local names (static functions,
#    anonymous namespaces) must be unique within a target;
#  - precompiled headers: the third-party and standard headers most files include, once per target;
#  - lld instead of ld.bfd when the compiler accepts it (Debian's lld package).
# Each can be switched off (-DMERGELAB_UNITY=OFF, -DMERGELAB_PCH=OFF, -DMERGELAB_LLD=OFF), e.g. to check
# that every file still compiles on its own.
option(MERGELAB_UNITY "Compile each target's sources in batches (unity build)" ON)
set(MERGELAB_UNITY_BATCH 8 CACHE STRING "Source files per unity batch")
option(MERGELAB_PCH "Precompile the heavy third-party headers" ON)
option(MERGELAB_LLD "Link with lld when available" ON)

if(MERGELAB_UNITY)
  # Applies to the targets created after this point (the project's own; not the ImGui backends).
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE ${MERGELAB_UNITY_BATCH})
endif()

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

# Gives every executable and static library of the project's subdirectories that uses the engine (links
# mergecore or Eigen, or is mergecore) a precompiled header: the standard headers most files include,
# Eigen, nlohmann/json, and GoogleTest / Google Benchmark / ImGui when it links them.
function(mergelab_precompile_headers)
  if(NOT MERGELAB_PCH)
    return()
  endif()
  get_property(dirs DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY SUBDIRECTORIES)
  foreach(dir ${dirs})
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(t ${targets})
      get_target_property(type ${t} TYPE)
      if(NOT type STREQUAL "EXECUTABLE" AND NOT type STREQUAL "STATIC_LIBRARY")
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
      # headers: the first one's precompiled header serves them all, so a target of one or two unity
      # batches does not pay for its own.
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
