
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/distance.cpp" "CMakeFiles/cseg_core.dir/src/core/distance.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/distance.cpp.o.d"
  "/work/main/src/core/fit_model.cpp" "CMakeFiles/cseg_core.dir/src/core/fit_model.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/fit_model.cpp.o.d"
  "/work/main/src/core/json.cpp" "CMakeFiles/cseg_core.dir/src/core/json.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/json.cpp.o.d"
  "/work/main/src/core/kmeans.cpp" "CMakeFiles/cseg_core.dir/src/core/kmeans.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/kmeans.cpp.o.d"
  "/work/main/src/core/kmeans_init.cpp" "CMakeFiles/cseg_core.dir/src/core/kmeans_init.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/kmeans_init.cpp.o.d"
  "/work/main/src/core/labels.cpp" "CMakeFiles/cseg_core.dir/src/core/labels.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/labels.cpp.o.d"
  "/work/main/src/core/metrics.cpp" "CMakeFiles/cseg_core.dir/src/core/metrics.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/metrics.cpp.o.d"
  "/work/main/src/core/missing.cpp" "CMakeFiles/cseg_core.dir/src/core/missing.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/missing.cpp.o.d"
  "/work/main/src/core/model.cpp" "CMakeFiles/cseg_core.dir/src/core/model.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/model.cpp.o.d"
  "/work/main/src/core/model_codec.cpp" "CMakeFiles/cseg_core.dir/src/core/model_codec.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/model_codec.cpp.o.d"
  "/work/main/src/core/model_json.cpp" "CMakeFiles/cseg_core.dir/src/core/model_json.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/model_json.cpp.o.d"
  "/work/main/src/core/row_order.cpp" "CMakeFiles/cseg_core.dir/src/core/row_order.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/row_order.cpp.o.d"
  "/work/main/src/core/scaler.cpp" "CMakeFiles/cseg_core.dir/src/core/scaler.cpp.o" "gcc" "CMakeFiles/cseg_core.dir/src/core/scaler.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
