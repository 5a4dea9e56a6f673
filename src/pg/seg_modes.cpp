// seg_modes(segmodel): per k-prototypes cluster the mode of each categorical attribute and
// the share of the cluster's training rows that have it.
#include <string_view>

#include "datum_codec.hpp"
#include "guard.hpp"
#include "model_point.hpp"
#include "kprototypes.hpp"

namespace {

// A name or category text as (pointer, length) into the cached model: plain data.
struct Text {
    const char* data;
    size_t len;
    bool present;
};

// Categorical attribute j's stored name, or present = false.
Text attribute_name(const cseg::ModelView& m, int32 j) {
    return cseg_pg::guarded([&] {
        std::string_view name;
        const bool present = cseg::categorical_name(m, j, &name);
        return Text{name.data(), name.size(), present};
    });
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_modes);

// Returns TABLE(cluster int, feature text, mode text, share float8), one row per cluster and
// categorical attribute; unnamed attributes are categorical_1, categorical_2, ...
Datum seg_modes(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    const cseg::ModelView& m = c->view;
    cseg_pg::require_model_operation(c, cseg::ModelOperation::Modes, "seg_modes");
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    Datum* names = static_cast<Datum*>(palloc(sizeof(Datum) * m.cat_dims));
    for (int32 j = 0; j < m.cat_dims; ++j) {
        const Text name = attribute_name(m, j);
        names[j] = name.present
                       ? PointerGetDatum(cstring_to_text_with_len(name.data, int(name.len)))
                       : PointerGetDatum(cstring_to_text(psprintf("categorical_%d", j + 1)));
    }
    for (int32 cl = 0; cl < m.k; ++cl) {
        for (int32 j = 0; j < m.cat_dims; ++j) {
            const int64 at = int64(cl) * m.cat_dims + j;
            const std::string_view mode = cseg::category_text(m, j, m.modes[at]);
            Datum values[4] = {
                Int32GetDatum(cl), names[j],
                PointerGetDatum(cstring_to_text_with_len(mode.data(), int(mode.size()))),
                Float8GetDatum(m.mode_share[at])};
            bool nulls[4] = {false, false, false, false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    }
    return static_cast<Datum>(0);
}

}  // extern "C"
