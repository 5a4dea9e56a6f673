
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/test/core/test_json.cpp" "CMakeFiles/core_tests.dir/test/core/test_json.cpp.o" "gcc" "CMakeFiles/core_tests.dir/test/core/test_json.cpp.o.d"
  "/work/main/test/core/test_metrics.cpp" "CMakeFiles/core_tests.dir/test/core/test_metrics.cpp.o" "gcc" "CMakeFiles/core_tests.dir/test/core/test_metrics.cpp.o.d"
  "/work/main/test/core/test_model_codec.cpp" "CMakeFiles/core_tests.dir/test/core/test_model_codec.cpp.o" "gcc" "CMakeFiles/core_tests.dir/test/core/test_model_codec.cpp.o.d"
  "/work/main/test/core/test_model_json.cpp" "CMakeFiles/core_tests.dir/test/core/test_model_json.cpp.o" "gcc" "CMakeFiles/core_tests.dir/test/core/test_model_json.cpp.o.d"
  "/work/main/test/core/test_row_order.cpp" "CMakeFiles/core_tests.dir/test/core/test_row_order.cpp.o" "gcc" "CMakeFiles/core_tests.dir/test/core/test_row_order.cpp.o.d"
  "/work/main/test/core/test_scaler.cpp" "CMakeFiles/core_tests.dir/test/core/test_scaler.cpp.o" "gcc" "CMakeFiles/core_tests.dir/test/core/test_scaler.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-json/CMakeFiles/cseg_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
