file(REMOVE_RECURSE
  "CMakeFiles/core_tests.dir/test/core/test_json.cpp.o"
  "CMakeFiles/core_tests.dir/test/core/test_json.cpp.o.d"
  "CMakeFiles/core_tests.dir/test/core/test_metrics.cpp.o"
  "CMakeFiles/core_tests.dir/test/core/test_metrics.cpp.o.d"
  "CMakeFiles/core_tests.dir/test/core/test_model_codec.cpp.o"
  "CMakeFiles/core_tests.dir/test/core/test_model_codec.cpp.o.d"
  "CMakeFiles/core_tests.dir/test/core/test_model_json.cpp.o"
  "CMakeFiles/core_tests.dir/test/core/test_model_json.cpp.o.d"
  "CMakeFiles/core_tests.dir/test/core/test_row_order.cpp.o"
  "CMakeFiles/core_tests.dir/test/core/test_row_order.cpp.o.d"
  "CMakeFiles/core_tests.dir/test/core/test_scaler.cpp.o"
  "CMakeFiles/core_tests.dir/test/core/test_scaler.cpp.o.d"
  "core_tests"
  "core_tests.pdb"
  "core_tests[1]_tests.cmake"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/core_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
