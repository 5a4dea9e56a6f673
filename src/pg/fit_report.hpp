// What a fit tells the user besides its result: the NOTICE for rows it left out, the WARNING
// when some clusters came out empty.
#pragma once

#include <cstdint>
#include <vector>

#include "pg.hpp"

namespace cseg_pg {

// NOTICE that `fn` skipped `skipped` rows with a NULL or non-finite element, with a detail that
// seg_assign maps such rows to NULL when `no_impute_detail`; nothing when skipped is 0. Call
// outside guarded().
void notice_skipped(const char* fn, int64 skipped, bool no_impute_detail = false);

// Clusters of size 0 in a fitted model's sizes (pure C++: may be called inside guarded()).
int32 empty_clusters(const std::vector<int64_t>& sizes);

// WARNING that `fn` found only k - empty distinct clusters because the data has fewer distinct
// `items` ("points", "rows") than k -- or, when `why` is given, for that reason; nothing when
// empty is 0. Call outside guarded().
void warn_empty_clusters(const char* fn, int32 k, int32 empty, const char* items,
                         const char* why = nullptr);

}  // namespace cseg_pg
