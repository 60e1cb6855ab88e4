# Helpers shared by every module's CMakeLists.txt.
#
#   baton_library(NAME SOURCES ... DEPS ...)   static library baton_<NAME> with our warning set
#   baton_test(NAME SOURCES ... DEPS ...)      GoogleTest executable registered with CTest
#   baton_fuzzer(NAME SOURCES ... DEPS ...)    libFuzzer target (only with BATON_FUZZ=ON and clang)

set(BATON_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives inside Boost.JSON / std::variant at -O2.
  list(APPEND BATON_WARNINGS -Wno-maybe-uninitialized -Wno-null-dereference)
endif()

function(baton_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(baton_${name} STATIC ${ARG_SOURCES})
  target_include_directories(baton_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(baton_${name} PRIVATE ${BATON_WARNINGS})
  target_link_libraries(baton_${name} PUBLIC ${ARG_DEPS})
  if(BATON_FUZZ)
    # Without coverage instrumentation in the libraries libFuzzer sees only the entry file and
    # fuzzes blind; sanitizers in them catch the bugs the fuzzer is there to find.
    target_compile_options(baton_${name} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(baton_${name} INTERFACE -fsanitize=address,undefined)
  endif()
endfunction()

function(baton_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${BATON_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    BATON_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

function(baton_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(BATON_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  endif()
endfunction()
