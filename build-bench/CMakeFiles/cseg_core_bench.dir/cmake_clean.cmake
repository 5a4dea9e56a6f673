file(REMOVE_RECURSE
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/distance.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/distance.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/fit_model.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/fit_model.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/json.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/json.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/kmeans.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/kmeans.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/kmeans_init.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/kmeans_init.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/labels.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/labels.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/metrics.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/metrics.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/missing.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/missing.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/model.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/model.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/model_codec.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/model_codec.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/model_json.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/model_json.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/row_order.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/row_order.cpp.o.d"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/scaler.cpp.o"
  "CMakeFiles/cseg_core_bench.dir/work/main/src/core/scaler.cpp.o.d"
  "libcseg_core_bench.a"
  "libcseg_core_bench.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/cseg_core_bench.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
