# Third-party dependencies, all from Debian 12 packages.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system unit_test_framework)
find_package(SQLite3 REQUIRED)
# prometheus-cpp's config fails when a version is requested (Debian 12).
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(RapidJSON CONFIG QUIET)

find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
add_library(herald_rapidjson INTERFACE)
target_include_directories(herald_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
target_compile_definitions(herald_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
# SIMD string scanning (docs/BENCHMARKS.md): SSE2 is part of every x86-64 CPU, so the binary
# stays portable (SSE4.2 would not be). Optimised builds only: RapidJSON's aligned 16-byte reads
# may pass the end of a buffer inside its page, which AddressSanitizer reports.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  target_compile_definitions(herald_rapidjson INTERFACE
    $<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:RAPIDJSON_SSE2>)
endif()
# RapidJSON 1.1's member iterators trip clang's C++20 reversed-operator check.
target_compile_options(herald_rapidjson INTERFACE
  $<$<CXX_COMPILER_ID:Clang>:-Wno-ambiguous-reversed-operator>)

find_path(NGHTTP2_INCLUDE_DIR nghttp2/nghttp2.h REQUIRED)
find_library(NGHTTP2_LIBRARY nghttp2 REQUIRED)
add_library(herald_nghttp2 UNKNOWN IMPORTED)
set_target_properties(herald_nghttp2 PROPERTIES IMPORTED_LOCATION ${NGHTTP2_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${NGHTTP2_INCLUDE_DIR})

find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)

# Qpid Proton C++ (AMQP 1.0 receiver): Debian 12's qpid-proton-cpp.pc is broken, so the
# library and headers are found by hand.
find_path(PROTON_INCLUDE_DIR proton/container.hpp REQUIRED)
find_library(PROTON_CPP_LIBRARY qpid-proton-cpp REQUIRED)
# The C core (rejected outcomes with a condition); its unversioned .so ships in no package.
find_library(PROTON_CORE_LIBRARY NAMES qpid-proton-core libqpid-proton-core.so.10 REQUIRED)
add_library(herald_proton UNKNOWN IMPORTED)
set_target_properties(herald_proton PROPERTIES IMPORTED_LOCATION ${PROTON_CPP_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${PROTON_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES "${PROTON_CORE_LIBRARY};Threads::Threads")

# CAF 0.17 ships no CMake config: make imported targets by hand.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(caf::core UNKNOWN IMPORTED)
set_target_properties(caf::core PROPERTIES IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(caf::io UNKNOWN IMPORTED)
set_target_properties(caf::io PROPERTIES IMPORTED_LOCATION ${CAF_IO_LIBRARY}
  INTERFACE_LINK_LIBRARIES caf::core)
