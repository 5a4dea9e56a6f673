file(REMOVE_RECURSE
  "CMakeFiles/cseg_core.dir/src/core/distance.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/distance.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/fit_model.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/fit_model.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/json.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/json.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/kmeans.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/kmeans.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/kmeans_init.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/kmeans_init.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/labels.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/labels.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/metrics.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/metrics.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/missing.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/missing.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/model.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/model.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/model_codec.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/model_codec.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/model_json.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/model_json.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/row_order.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/row_order.cpp.o.d"
  "CMakeFiles/cseg_core.dir/src/core/scaler.cpp.o"
  "CMakeFiles/cseg_core.dir/src/core/scaler.cpp.o.d"
  "libcseg_core.a"
  "libcseg_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/cseg_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
