// seg_profile(segmodel) and seg_describe(segmodel): segments in words (src/core/profile.hpp).
#include <cstring>
#include <string>
#include <vector>

#include "datum_codec.hpp"
#include "guard.hpp"
#include "profile.hpp"

namespace {

// A core string copied into palloc'd memory (inside a guard: never longjmps).
char* pstrdup_nothrow(const std::string& s) {
    char* out = static_cast<char*>(cseg_pg::alloc_nothrow(s.size() + 1));
    std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

// One seg_profile row, plain data for crossing the wall.
struct CellOut {
    int32 cluster;
    const char* feature;
    double value, zscore;
    const char* level;
};

// One seg_describe row.
struct SummaryOut {
    int32 cluster;
    int64 size;
    double share;
    const char* description;
};

// A result set of n plain rows.
template <class Row>
struct Rows {
    Row* rows;
    int64 n;
};

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_profile);
PG_FUNCTION_INFO_V1(seg_describe);

// seg_profile(model) -> TABLE(cluster int, feature text, value float8, zscore float8,
// level text): one row per cluster and feature.
Datum seg_profile(PG_FUNCTION_ARGS) {
    struct varlena* datum = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    const Rows<CellOut> r = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(datum, cseg::ErrorKind::Internal);
        const std::vector<cseg::ProfileCell> cells = cseg::profile_cells(m);
        auto* out = static_cast<CellOut*>(cseg_pg::alloc_nothrow(sizeof(CellOut) * cells.size()));
        std::vector<char*> names;
        for (int32_t j = 0; j < m.dims; ++j)
            names.push_back(pstrdup_nothrow(cseg::feature_label(m, j)));
        for (size_t i = 0; i < cells.size(); ++i) {
            const cseg::ProfileCell& c = cells[i];
            out[i] = CellOut{c.cluster, names[size_t(c.feature)], c.value, c.zscore,
                             cseg::level_name(c.level)};
        }
        return Rows<CellOut>{out, static_cast<int64>(cells.size())};
    });
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (int64 i = 0; i < r.n; ++i) {
        const CellOut& c = r.rows[i];
        Datum values[5] = {Int32GetDatum(c.cluster), CStringGetTextDatum(c.feature),
                           Float8GetDatum(c.value), Float8GetDatum(c.zscore),
                           CStringGetTextDatum(c.level)};
        bool nulls[5] = {false, false, false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return static_cast<Datum>(0);
}

// seg_describe(model) -> TABLE(cluster int, size bigint, share float8, description text).
Datum seg_describe(PG_FUNCTION_ARGS) {
    struct varlena* datum = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    const Rows<SummaryOut> r = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(datum, cseg::ErrorKind::Internal);
        const std::vector<cseg::ClusterSummary> sums = cseg::describe_clusters(m);
        auto* out =
            static_cast<SummaryOut*>(cseg_pg::alloc_nothrow(sizeof(SummaryOut) * sums.size()));
        for (size_t i = 0; i < sums.size(); ++i)
            out[i] = SummaryOut{sums[i].cluster, sums[i].size, sums[i].share,
                                pstrdup_nothrow(sums[i].description)};
        return Rows<SummaryOut>{out, static_cast<int64>(sums.size())};
    });
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (int64 i = 0; i < r.n; ++i) {
        const SummaryOut& s = r.rows[i];
        Datum values[4] = {Int32GetDatum(s.cluster), Int64GetDatum(s.size), Float8GetDatum(s.share),
                           CStringGetTextDatum(s.description)};
        bool nulls[4] = {false, false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return static_cast<Datum>(0);
}

}  // extern "C"
