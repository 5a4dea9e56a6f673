// seg_report's HTML page: one self-contained document about a model and its table.
#include <string>
#include <vector>

#include "charts.hpp"
#include "errors.hpp"
#include "profile.hpp"
#include "svg.hpp"

namespace cseg {
namespace {

// The page's only styling, inline (no external resources).
constexpr const char* kStyle =
    "body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;margin:24px auto;max-width:980px;"
    "color:#222;line-height:1.4}h1{font-size:24px}h2{font-size:19px;margin-top:32px;"
    "border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:8px 0}"
    "td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}td.num{text-align:right}"
    "th{background:#f2f2f2}.swatch{display:inline-block;width:12px;height:12px;"
    "margin-right:6px;vertical-align:middle}figure{margin:12px 0}svg{max-width:100%;height:auto}"
    "p.meta{color:#555}";

// k-prototypes: each segment's mode of every categorical attribute and the share of the
// segment's training rows that have it (what seg_modes returns).
std::string modes_table(const Model& m) {
    const CategoricalPart& cat = m.categorical;
    std::string out = "<h2>Categories</h2>\n<table class=\"modes\">\n<tr><th>segment</th>";
    for (int32_t j = 0; j < cat.dims; ++j)
        out += "<th>" +
               xml_escape(cat.names.size() == size_t(cat.dims) ? cat.names[size_t(j)]
                                                               : "categorical_" +
                                                                     std::to_string(j + 1)) +
               "</th>";
    out += "</tr>\n";
    for (int32_t c = 0; c < m.k; ++c) {
        out += "<tr><td>" + std::to_string(c) + "</td>";
        for (int32_t j = 0; j < cat.dims; ++j) {
            const size_t at = size_t(c) * size_t(cat.dims) + size_t(j);
            const int32_t code = cat.modes[at];
            const std::vector<std::string>& vocabulary = cat.categories[size_t(j)];
            if (code < 0 || size_t(code) >= vocabulary.size())
                throw Error(ErrorKind::Internal, "a mode outside its attribute's categories");
            out += "<td>" + xml_escape(vocabulary[size_t(code)]) + " (" +
                   fixed(100 * cat.mode_share[at], 1) + " %)</td>";
        }
        out += "</tr>\n";
    }
    return out +
           "</table>\n<p class=\"meta\">The most frequent category of each attribute in the "
           "segment and the share of its training rows that have it (seg_modes).</p>\n";
}

}  // namespace

// Header, model facts, sizes and descriptions table, the modes (k-prototypes), then the charts.
std::string report_html(const ReportInput& in) {
    if (in.model == nullptr) throw Error(ErrorKind::Internal, "report_html without a model");
    const Model& m = *in.model;
    const std::string source = xml_escape(in.source);
    std::string features;
    for (size_t j = 0; j < in.features.size(); ++j)
        features += (j ? ", " : "") + xml_escape(in.features[j]);
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n<title>Segments of " +
        source + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    out += "<h1>Segments of " + source + "</h1>\n";
    out += "<p class=\"meta\">A " + std::string(model_algorithm_name(m.algorithm)) +
           " model with " + std::to_string(m.k) + " segments over " + count_text(m.n_rows) +
           " training rows (" + count_text(m.n_skipped) +
           " left out for missing values), features scaled with the " +
           scale_method_name(m.scaler.method) + " scaler. Columns read: " + features + ".</p>\n";
    out +=
        "<h2>Segments</h2>\n<table class=\"segments\">\n<tr><th>segment</th><th>rows</th>"
        "<th>share</th><th>in words (seg_describe)</th></tr>\n";
    for (const ClusterSummary& s : describe_clusters(m)) {
        out += "<tr><td><span class=\"swatch\" style=\"background:" +
               std::string(palette_colour(s.cluster)) + "\"></span>" + std::to_string(s.cluster) +
               "</td><td class=\"num\">" + count_text(s.size) + "</td><td class=\"num\">" +
               fixed(100 * s.share, 1) + " %</td><td>" + xml_escape(s.description) + "</td></tr>\n";
    }
    out += "</table>\n<h2>Profiles</h2>\n<table class=\"profiles\">\n<tr><th>segment</th>";
    for (int32_t j = 0; j < m.dims; ++j) out += "<th>" + xml_escape(feature_label(m, j)) + "</th>";
    out += "</tr>\n";
    const std::vector<ProfileCell> cells = profile_cells(m);
    for (int32_t c = 0; c < m.k; ++c) {
        out += "<tr><td>" + std::to_string(c) + "</td>";
        for (int32_t j = 0; j < m.dims; ++j) {
            const ProfileCell& cell = cells[size_t(c) * size_t(m.dims) + size_t(j)];
            out += "<td class=\"num\">" + fixed(cell.value, 2) + " (" + level_name(cell.level) +
                   ")</td>";
        }
        out += "</tr>\n";
    }
    out +=
        "</table>\n<p class=\"meta\">Centroids in original units; the word is the z-score's "
        "level against all training rows.</p>\n";
    if (m.categorical.dims > 0) out += modes_table(m);
    for (const auto& [heading, svg] : in.charts) {
        out += "<h2>" + xml_escape(heading) + "</h2>\n<figure>\n" + svg + "</figure>\n";
    }
    out +=
        "<p class=\"meta\">Made by customer_seg's seg_report; this page has no scripts and "
        "loads nothing from elsewhere.</p>\n</body>\n</html>\n";
    return out;
}

}  // namespace cseg
