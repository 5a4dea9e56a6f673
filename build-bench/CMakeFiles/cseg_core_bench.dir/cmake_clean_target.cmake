file(REMOVE_RECURSE
  "libcseg_core_bench.a"
)
