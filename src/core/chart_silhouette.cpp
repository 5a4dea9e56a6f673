// The silhouette chart: per segment its rows' silhouette values, sorted, and the mean line.
#include <algorithm>
#include <cmath>
#include <string>

#include "charts.hpp"
#include "errors.hpp"
#include "svg.hpp"

namespace cseg {

// Segments stacked top to bottom (0 first), each a filled profile of its sorted values.
std::string silhouette_chart(const SilhouetteChartInput& in) {
    const size_t n = in.labels.size();
    if (in.values.size() != n || in.k < 1)
        throw Error(ErrorKind::Internal, "silhouette_chart: inconsistent input");
    std::vector<std::vector<double>> by(static_cast<size_t>(in.k));
    for (size_t i = 0; i < n; ++i) {
        if (in.labels[i] < 0 || in.labels[i] >= in.k)
            throw Error(ErrorKind::Internal, "silhouette_chart: label out of range");
        by[size_t(in.labels[i])].push_back(in.values[i]);
    }
    double v_lo = -0.1;
    for (auto& vals : by) {
        std::sort(vals.begin(), vals.end(), [](double a, double b) { return a > b; });
        if (!vals.empty()) v_lo = std::min(v_lo, std::floor(vals.back() * 10) / 10);
    }
    const int W = 900, H = 600;
    Svg svg(W, H, "Silhouette plot of " + std::to_string(in.k) + " segments");
    svg.text(20, 26, "Silhouette of each customer, by segment", "start", 16, 0,
             "font-weight=\"bold\"");
    const std::string note = rows_note(int64_t(n), in.rows_total);
    svg.text(20, 44, note + "; mean silhouette " + fixed(in.mean, 3), "start", 12, 0,
             "class=\"subtitle\"");
    const double gap = std::max(1.0, 0.02 * double(n));  // rows of space between segments
    const double total = double(n) + gap * double(in.k + 1);
    const PlotArea a{90, 60, 500, 470, v_lo, 1.0, 0.0, total};
    svg.axes(a, "silhouette coefficient", "customers, by segment", 8, 0);
    const double row_px = a.height / total;
    double y = gap;  // rows from the top
    for (int32_t c = 0; c < in.k; ++c) {
        const std::vector<double>& vals = by[size_t(c)];
        const std::string colour = palette_colour(c);
        if (!vals.empty()) {
            // One vertex per pixel row at most: the value at that quantile.
            const size_t steps = std::max<size_t>(
                1, std::min(vals.size(), size_t(std::ceil(double(vals.size()) * row_px))));
            const double y_top = a.top + y * row_px;
            const double seg_px = double(vals.size()) * row_px;
            std::string d = "M" + coord(a.px(0)) + " " + coord(y_top);
            for (size_t s = 0; s < steps; ++s) {
                const double v = vals[s * vals.size() / steps];
                const double y0 = y_top + seg_px * double(s) / double(steps);
                const double y1 = y_top + seg_px * double(s + 1) / double(steps);
                d +=
                    "L" + coord(a.px(v)) + " " + coord(y0) + "L" + coord(a.px(v)) + " " + coord(y1);
            }
            d += "L" + coord(a.px(0)) + " " + coord(y_top + seg_px) + "Z";
            svg.raw("<path d=\"" + d + "\" fill=\"" + colour +
                    "\" fill-opacity=\"0.85\" class=\"cluster\" data-cluster=\"" +
                    std::to_string(c) + "\" data-rows=\"" + std::to_string(vals.size()) + "\"/>\n");
        }
        svg.text(a.px(v_lo) + 6, a.top + (y + double(vals.size()) / 2) * row_px + 4,
                 std::to_string(c), "start", 12, 0, "font-weight=\"bold\"");
        y += double(vals.size()) + gap;
    }
    svg.line(a.px(0), a.top, a.px(0), a.top + a.height, "#444444", 1);
    if (std::isfinite(in.mean)) {
        svg.line(a.px(in.mean), a.top, a.px(in.mean), a.top + a.height, "#D55E00", 2,
                 "stroke-dasharray=\"6 4\" class=\"mean\"");
        svg.text(a.px(in.mean) + 4, a.top + 14, "mean " + fixed(in.mean, 3), "start", 12, 0,
                 "fill=\"#D55E00\"");
    }
    std::vector<LegendEntry> entries;
    for (int32_t c = 0; c < in.k; ++c) {
        const std::vector<double>& vals = by[size_t(c)];
        double mean = 0;
        for (double v : vals) mean += v;
        std::string label =
            "segment " + std::to_string(c) + ": " + count_text(int64_t(vals.size())) + " rows";
        if (!vals.empty()) label += ", mean " + fixed(mean / double(vals.size()), 3);
        entries.push_back({label, palette_colour(c), 1, false, ""});
    }
    entries.push_back(
        {"mean silhouette, all rows", "#D55E00", 0, true, "stroke-dasharray=\"6 4\""});
    legend(svg, 620, 70, "Segments", entries);
    return svg.finish();
}

}  // namespace cseg
