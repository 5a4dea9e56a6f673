# Empty dependencies file for cseg_core_bench.
# This may be replaced when dependencies are built.
