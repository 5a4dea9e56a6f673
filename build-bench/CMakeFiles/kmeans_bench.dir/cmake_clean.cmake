file(REMOVE_RECURSE
  "CMakeFiles/kmeans_bench.dir/kmeans_bench.cpp.o"
  "CMakeFiles/kmeans_bench.dir/kmeans_bench.cpp.o.d"
  "kmeans_bench"
  "kmeans_bench.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kmeans_bench.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
