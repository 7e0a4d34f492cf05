# Test helpers shared by every folder.
#
#   wooly_add_unit_test(NAME SOURCES a.cpp b.cpp LIBS lib1 lib2)
#     A Catch2 executable under build/bin/unit/, each TEST_CASE registered with CTest.
#   wooly_add_e2e_test(NAME SCRIPT path/to/test.sh [TIMEOUT s] [LABELS l])
#     A shell script run with bash; it finds the binaries through $WOOLY_BIN.

find_package(Catch2 REQUIRED)
include(Catch)

# Catch2's main is slow to compile: build it once for every test binary.
add_library(WoolyCatchMain OBJECT ${CMAKE_SOURCE_DIR}/test/unit/CatchMain.cpp)
target_link_libraries(WoolyCatchMain PUBLIC Catch2::Catch2)

function(wooly_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:WoolyCatchMain>)
  target_link_libraries(${name} PRIVATE Catch2::Catch2 ${ARG_LIBS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/unit)
  catch_discover_tests(${name} TEST_PREFIX "unit/${name}/"
    PROPERTIES LABELS unit)
  add_dependencies(wooly-check-deps ${name})
endfunction()

function(wooly_add_e2e_test name)
  cmake_parse_arguments(ARG "" "SCRIPT;TIMEOUT" "LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME e2e/${name} COMMAND bash ${ARG_SCRIPT})
  set_tests_properties(e2e/${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    LABELS "e2e;${ARG_LABELS}"
    SKIP_RETURN_CODE 77
    ENVIRONMENT "WOOLY_BIN=${CMAKE_BINARY_DIR}/bin;WOOLY_BUILD=${CMAKE_BINARY_DIR};WOOLY_SOURCE=${CMAKE_SOURCE_DIR};WOOLY_CACHE_DIR=${CMAKE_BINARY_DIR}/test-cache")
endfunction()

# Everything a test needs is built by `ninja`; this target lets folders hang
# test-only tools on it.
add_custom_target(wooly-check-deps ALL)
