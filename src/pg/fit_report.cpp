// Messages shared by the fitting aggregates (see fit_report.hpp).
#include "fit_report.hpp"

namespace cseg_pg {

// The NOTICE, its detail only where the rows came to a model.
void notice_skipped(const char* fn, int64 skipped, bool no_impute_detail) {
    if (skipped <= 0) return;
    ereport(NOTICE,
            (errmsg("%s skipped %lld rows with NULL or non-finite elements", fn,
                    static_cast<long long>(skipped)),
             no_impute_detail
                 ? errdetail("The model does not impute: seg_assign maps such rows to NULL.")
                 : 0));
}

// Counts the clusters of size 0.
int32 empty_clusters(const std::vector<int64_t>& sizes) {
    int32 empty = 0;
    for (int64_t size : sizes) empty += size == 0;
    return empty;
}

// Raises the empty-cluster WARNING (singular or plural detail, or the caller's reason).
void warn_empty_clusters(const char* fn, int32 k, int32 empty, const char* items,
                         const char* why) {
    if (empty <= 0) return;
    if (why != nullptr)
        ereport(WARNING,
                (errmsg("%s found only %d distinct clusters for k = %d", fn, k - empty, k),
                 errdetail_plural("%s; %d cluster is empty.", "%s; %d clusters are empty.",
                                  empty, why, empty)));
    else
        ereport(WARNING,
                (errmsg("%s found only %d distinct clusters for k = %d", fn, k - empty, k),
                 errdetail_plural("The data has fewer distinct %s than k; %d cluster is empty.",
                                  "The data has fewer distinct %s than k; %d clusters are empty.",
                                  empty, items, empty)));
}

}  // namespace cseg_pg
