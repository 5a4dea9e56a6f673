# Empty dependencies file for kmeans_bench.
# This may be replaced when dependencies are built.
