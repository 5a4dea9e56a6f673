file(REMOVE_RECURSE
  "libcseg_core.a"
)
