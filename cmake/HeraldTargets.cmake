# Helpers shared by the layer folders.

# Warnings as errors on our own code only (third-party headers are system includes).
function(herald_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Werror)
  # GCC 12 at -O2 reports -Wmaybe-uninitialized inside boost::outcome's and std::optional's
  # union storage (moved-from results of transports::h2_result): false positives of its
  # inliner, so in optimised builds they stay warnings instead of errors.
  target_compile_options(${target} PRIVATE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<NOT:$<CONFIG:Debug>>>:-Wno-error=maybe-uninitialized>)
endfunction()

# One static library per layer, made of every .cpp in its folder (tests live in tests/).
function(herald_layer name folder)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${folder}/*.cpp")
  list(FILTER srcs EXCLUDE REGEX "/main\\.cpp$")
  if(NOT srcs)
    # A layer still being written: keep the target so the layers above can link to it.
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp" "")
    set(srcs "${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp")
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  herald_warnings(${name})
endfunction()

# Each tests/<group>/test_<module>.cpp becomes its own executable and CTest entry.
# Boost.Test's module name comes from the file name.
function(herald_tests group)
  cmake_parse_arguments(arg "" "TIMEOUT" "LIBS;LABELS;DEFINES" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  file(GLOB tests CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${group}/test_*.cpp")
  foreach(src ${tests})
    get_filename_component(stem ${src} NAME_WE)
    set(exe ${group}_${stem})
    add_executable(${exe} ${src})
    target_link_libraries(${exe} PRIVATE ${arg_LIBS} Boost::unit_test_framework)
    target_compile_definitions(${exe} PRIVATE BOOST_TEST_DYN_LINK BOOST_TEST_MODULE=${stem}
      HERALD_SAMPLES_DIR="${HERALD_SAMPLES_DIR}"
      HERALD_TEST_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data"
      ${arg_DEFINES})
    herald_warnings(${exe})
    add_test(NAME ${group}.${stem} COMMAND ${exe})
    set_tests_properties(${group}.${stem} PROPERTIES TIMEOUT ${arg_TIMEOUT}
      LABELS "${group};${arg_LABELS}")
  endforeach()
endfunction()
