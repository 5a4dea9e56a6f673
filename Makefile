# PGXS build of customer_seg.so from src/core (pure C++/Eigen) and src/pg (the wall).
# `make && make install` builds and installs; `make installcheck` runs pg_regress (sql/ +
# expected/) against the server in PG* environment variables. See README.md for the rest.

EXTENSION  = customer_seg
MODULE_big = customer_seg
DATA       = $(sort $(wildcard customer_seg--*.sql))

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
PG_CXXFLAGS = -std=c++17 -O3 -Wall -Wextra $(CSEG_ARCH)
SHLIB_LINK  = -lstdc++

# No LLVM bitcode for JIT inlining: it would need clang to compile C++17 + Eigen for no gain.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(OBJS): $(CSEG_HDRS)

installcheck: | build/regress
build/regress:
	mkdir -p build/regress

.PHONY: core-test demo test
# The PostgreSQL-free core and its GoogleTest suite.
core-test:
	cmake -S . -B build/core -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/core -j2
	ctest --test-dir build/core --output-on-failure
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
