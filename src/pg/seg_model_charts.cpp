// Charts drawn from a model alone: seg_profile_chart(segmodel), seg_dendrogram_chart(segmodel),
// and the page seg_report assembles (seg_report_page, called by the PL/pgSQL seg_report with the charts it computed
// over the table).
#include <cstring>
#include <string>
#include <vector>

#include "chart_text.hpp"
#include "charts.hpp"
#include "datum_codec.hpp"
#include "guard.hpp"
#include "hclust_model.hpp"
#include "model_kind.hpp"
#include "model_point.hpp"
#include "svg.hpp"
#include "text_array.hpp"

namespace {

// The text argument argno as a palloc'd C string in UTF-8 (chart_text_utf8), or NULL when the
// argument is NULL (the markup is checked by check_chart_markup inside the guard).
const char* chart_arg(FunctionCallInfo fcinfo, int argno) {
    if (PG_ARGISNULL(argno)) return nullptr;
    const char* s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
    int32 len = 0;
    return cseg_pg::chart_text_utf8(s, static_cast<int32>(strlen(s)), &len);
}

// The dendrogram chart of a hierarchical model: its stored merges (checked as a tree), coloured
// by the model's leaf clusters.
std::string model_dendrogram_chart(const cseg::Model& m) {
    const cseg::HierarchyView h = cseg::hierarchy_view(m);
    std::vector<cseg::DendrogramMerge> merges;
    for (const cseg::Merge& g : cseg::stored_merges(h, cseg::ErrorKind::InvalidParameter))
        merges.push_back({g.left, g.right, g.height, g.size});
    return cseg::dendrogram_chart(merges, h.leaves, m.k,
                                  std::vector<int64_t>(h.leaf_size, h.leaf_size + h.leaves),
                                  std::vector<int64_t>(h.leaf_cluster, h.leaf_cluster + h.leaves));
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(seg_profile_chart);
PG_FUNCTION_INFO_V1(seg_report_page);
PG_FUNCTION_INFO_V1(seg_dendrogram_chart);

// seg_profile_chart(model) -> text: the z-score heat map.
Datum seg_profile_chart(PG_FUNCTION_ARGS) {
    struct varlena* datum = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    const cseg_pg::ChartModelTexts texts = cseg_pg::chart_model_texts(datum);
    text* out = cseg_pg::guarded([&] {
        cseg::Model m = cseg_pg::model_from_varlena(datum, cseg::ErrorKind::Internal);
        cseg_pg::use_chart_model_texts(m, texts);
        return cseg_pg::chart_text_result(cseg::profile_chart(m));
    });
    PG_RETURN_TEXT_P(out);
}

// seg_dendrogram_chart(model) -> text: the tree of a hierarchical model (22023 for other kinds).
Datum seg_dendrogram_chart(PG_FUNCTION_ARGS) {
    cseg_pg::ModelCache* c = cseg_pg::model_cache_get(fcinfo, 0);
    cseg_pg::require_model_operation(c, cseg::ModelOperation::Dendrogram, "seg_dendrogram_chart");
    struct varlena* datum = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    text* out = cseg_pg::guarded([&] {
        const cseg::Model m = cseg_pg::model_from_varlena(datum, cseg::ErrorKind::Internal);
        return cseg_pg::chart_text_result(model_dendrogram_chart(m));
    });
    PG_RETURN_TEXT_P(out);
}

// seg_report_page(model, source text, features text[], silhouette_svg text, map_svg text):
// the HTML page of seg_report; NULL charts are left out. Not STRICT in its charts.
Datum seg_report_page(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_NULL();
    struct varlena* datum = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    const char* source = chart_arg(fcinfo, 1);
    ArrayType* features = PG_GETARG_ARRAYTYPE_P(2);
    const int32 nf = cseg_pg::text_array_length(features, "seg_report features");
    const char** names = static_cast<const char**>(palloc(sizeof(char*) * nf));
    int32* lens = static_cast<int32*>(palloc(sizeof(int32) * nf));
    cseg_pg::text_array_read(features, nf, names, lens);
    for (int32 i = 0; i < nf; ++i)
        if (lens[i] >= 0) names[i] = cseg_pg::chart_text_utf8(names[i], lens[i], &lens[i]);
    const char* silhouette = chart_arg(fcinfo, 3);
    const char* map = chart_arg(fcinfo, 4);
    const cseg_pg::ChartModelTexts texts = cseg_pg::chart_model_texts(datum);
    text* out = cseg_pg::guarded([&] {
        cseg::Model m = cseg_pg::model_from_varlena(datum, cseg::ErrorKind::Internal);
        cseg_pg::use_chart_model_texts(m, texts);
        cseg::ReportInput in;
        in.model = &m;
        in.source = source;
        for (int32 i = 0; i < nf; ++i)
            in.features.emplace_back(lens[i] < 0 ? "NULL" : std::string(names[i], size_t(lens[i])));
        in.charts.emplace_back("Profiles as a heat map (seg_profile_chart)",
                               cseg::profile_chart(m));
        if (cseg::model_kind(m.algorithm).takes(cseg::ModelOperation::Dendrogram))
            in.charts.emplace_back("The tree (seg_dendrogram_chart)", model_dendrogram_chart(m));
        if (silhouette != nullptr) {
            cseg::check_chart_markup(silhouette, "seg_report_page's silhouette_svg");
            in.charts.emplace_back("Silhouette of each row (seg_silhouette_chart)", silhouette);
        }
        if (map != nullptr) {
            cseg::check_chart_markup(map, "seg_report_page's map_svg");
            in.charts.emplace_back("Segment map (seg_map_chart)", map);
        }
        return cseg_pg::chart_text_result(cseg::report_html(in));
    });
    PG_RETURN_TEXT_P(out);
}

}  // extern "C"
