# PGXS build of customer_seg.so from src/core (pure C++/Eigen) and src/pg (the wall).
# `make && make install` builds and installs; `make installcheck` runs pg_regress (sql/ +
# expected/) against the server in PG* environment variables. See README.md for the rest.

EXTENSION  = customer_seg
MODULE_big = customer_seg
# The 1.0 install script is assembled from one fragment per capability in src/sql/
# (numbered for load order) until 1.0 is released; later versions ship as
# customer_seg--A--B.sql upgrade scripts beside it.
DATA_built = customer_seg--1.0.sql
DATA       = $(filter-out $(DATA_built),$(sort $(wildcard customer_seg--*.sql)))
SQL_PARTS  = $(sort $(wildcard src/sql/*.sql))

CORE_SRCS  = $(sort $(wildcard src/core/*.cpp))
PG_SRCS    = $(sort $(wildcard src/pg/*.cpp))
OBJS       = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
CSEG_HDRS = $(wildcard src/core/*.hpp src/pg/*.hpp)

# pg_regress: setup first (extension + sample data), then one file per capability.
REGRESS_ALL = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS     = setup $(filter-out setup,$(REGRESS_ALL))
REGRESS_OPTS = --inputdir=. --outputdir=build/regress

PG_CONFIG ?= pg_config
# Target CPU: AVX2 + FMA (x86-64-v3). Override for other machines,
# e.g. `make CSEG_ARCH=-march=native` or `make CSEG_ARCH=-march=x86-64-v2`.
CSEG_ARCH ?= -march=x86-64-v3
EIGEN_INCLUDE ?= /usr/include/eigen3

PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -isystem $(EIGEN_INCLUDE) \
              -Isrc/core -Isrc/pg
PG_CXXFLAGS = -std=c++17 -O3 -Wall -Wextra $(CSEG_ARCH) -MMD -MP
EXTRA_CLEAN = $(OBJS:.o=.d)
SHLIB_LINK  = -lstdc++

# No LLVM bitcode for JIT inlining: it would need clang to compile C++17 + Eigen for no gain.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Real header dependencies: the compiler writes each object's .d file (-MMD -MP) and make
# reads them back; an object built before its .d existed depends on every header instead.
-include $(wildcard $(OBJS:.o=.d))
$(foreach o,$(OBJS),$(if $(wildcard $(o:.o=.d)),,$(eval $(o): $(CSEG_HDRS))))

customer_seg--1.0.sql: $(SQL_PARTS)
	cat $^ > $@

installcheck: | build/regress
build/regress:
	mkdir -p build/regress

.PHONY: core-test demo test tsan report
# `make report REPORT_SOURCE=t REPORT_FEATURES=a,b,c REPORT_NAME=name` (or REPORT_MODEL='sql'):
# seg_report's HTML page for any model, written to REPORT_OUT (default report.html) through
# psql and the PG* environment; every variable is described in scripts/report.sh.
report:
	bash scripts/report.sh
# The unit tests under ThreadSanitizer (the helper threads of a fit; a few minutes).
tsan:
	cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSEG_TSAN=ON >/dev/null
	cmake --build build/tsan -j2
	TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan --output-on-failure
# The PostgreSQL-free core and its GoogleTest suite.
core-test:
	cmake -S . -B build/core -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/core -j2
	ctest --test-dir build/core --output-on-failure
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh

# --- benchmark (docs/performance.md) --------------------------------------------------------
# `make bench`: customer_seg against scikit-learn on a 1M-row synthetic table, on a throwaway
# cluster with a private install; writes bench/results/latest.md. BENCH_ARGS go to bench.py,
# e.g. `make bench BENCH_ARGS="--repeat 5"` or `BENCH_ARGS=--quick`.
BENCH_ARGS ?=
.PHONY: bench bench-stream
bench:
	bash bench/run.sh $(BENCH_ARGS)
# `make bench-stream`: the stream engine's passes against a bare scan on 10M x 8 rows
# (STREAM_ARGS="--rows 10000000 --also 30000000" for the larger table too); bench/results/stream.md.
STREAM_ARGS ?=
bench-stream:
	bash bench/stream_run.sh $(STREAM_ARGS)
# `make bench-hclust`: hierarchical clustering side by side with scipy (bench/hclust_bench.py).
.PHONY: bench-hclust
bench-hclust:
	cmake -S bench -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-bench -j2 --target hclust_bench
	/usr/bin/python3 bench/hclust_bench.py build-bench/hclust_bench
# `make bench-mixtures`: gmm_fit, dbscan_fit and seg_proba against scikit-learn
# (bench/mixtures_bench.py), same throwaway cluster; writes bench/results/mixtures.md.
.PHONY: bench-mixtures
bench-mixtures:
	CSEG_BENCH_SCRIPT=bench/mixtures_bench.py bash bench/run.sh $(BENCH_ARGS)
# --- end benchmark --------------------------------------------------------------------------

# --- robustness (docs/robustness.md) -------------------------------------------------------
# `make fuzz`: every libFuzzer target for FUZZ_SECONDS (default 600) each, growing the corpus
# in build/fuzz/work; `make valgrind`: unit tests under ASan+UBSan and pg_regress with the
# server under valgrind. Neither is part of `make test` (scripts/test.sh runs a short fuzz).
FUZZ_SECONDS ?= 600
.PHONY: fuzz valgrind
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)
valgrind:
	bash scripts/valgrind.sh
# `make sqlfuzz`: the SQL-level fuzzer (test/integration/test_sql_fuzz.py: random calls of
# every function of the extension) for SQLFUZZ_SECONDS (default 600) on a throwaway cluster
# with a private install; SQLFUZZ_SEED picks the sequence. The test command runs it for 60 s.
SQLFUZZ_SECONDS ?= 600
SQLFUZZ_SEED ?= 20261206
.PHONY: sqlfuzz
sqlfuzz:
	CSEG_SQLFUZZ_SECONDS=$(SQLFUZZ_SECONDS) CSEG_SQLFUZZ_SEED=$(SQLFUZZ_SEED) \
	    bash scripts/dev_check.sh test/integration/test_sql_fuzz.py
	@tail -n 25 build/dev-test_sql_fuzz.log
# `make diffcheck`: customer_seg against scikit-learn / scipy on DIFFCHECK_SETS random data
# sets (test/integration/diffcheck_vs_reference.py; seed DIFFCHECK_SEED) on a throwaway
# cluster with a private install. Not part of the test command.
DIFFCHECK_SETS ?= 120
DIFFCHECK_SEED ?= 20261207
.PHONY: diffcheck
diffcheck:
	@DIFFCHECK_SETS=$(DIFFCHECK_SETS) DIFFCHECK_SEED=$(DIFFCHECK_SEED) \
	    bash scripts/dev_check.sh test/integration/diffcheck_vs_reference.py; rc=$$?; \
	    sed -n '/^== summary/,$$p' build/dev-diffcheck_vs_reference.log; exit $$rc
# --- end robustness ------------------------------------------------------------------------
