// The sweep chart: inertia and silhouette against k, elbow and best silhouette marked.
#include <algorithm>
#include <cmath>
#include <string>

#include "charts.hpp"
#include "errors.hpp"
#include "json.hpp"
#include "svg.hpp"

namespace cseg {
namespace {

constexpr const char* kInertiaColour = "#0072B2";     // Okabe-Ito blue
constexpr const char* kSilhouetteColour = "#E69F00";  // orange
constexpr const char* kElbowColour = "#D55E00";       // vermillion
constexpr const char* kBestColour = "#009E73";        // bluish green

// The [lo, hi] range of finite values (NaN, NaN when there are none).
std::pair<double, double> finite_range(const std::vector<SweepChartPoint>& pts, bool silhouette) {
    double lo = NAN, hi = NAN;
    for (const SweepChartPoint& p : pts) {
        const double v = silhouette ? p.silhouette : p.inertia;
        if (!std::isfinite(v)) continue;
        lo = std::isnan(lo) ? v : std::min(lo, v);
        hi = std::isnan(hi) ? v : std::max(hi, v);
    }
    return {lo, hi};
}

// One panel's series: a polyline through the finite values and a marker per point.
void draw_series(Svg& svg, const PlotArea& a, const std::vector<SweepChartPoint>& pts,
                 bool silhouette) {
    const char* colour = silhouette ? kSilhouetteColour : kInertiaColour;
    const char* cls = silhouette ? "point silhouette" : "point inertia";
    std::string poly;
    for (const SweepChartPoint& p : pts) {
        const double v = silhouette ? p.silhouette : p.inertia;
        if (!std::isfinite(v)) continue;
        poly += (poly.empty() ? "" : " ") + coord(a.px(p.k)) + "," + coord(a.py(v));
    }
    if (!poly.empty())
        svg.raw("<polyline points=\"" + poly + "\" fill=\"none\" stroke=\"" + colour +
                "\" stroke-width=\"2\" class=\"series\"/>\n");
    for (const SweepChartPoint& p : pts) {
        const double v = silhouette ? p.silhouette : p.inertia;
        if (!std::isfinite(v)) continue;
        svg.marker(silhouette ? 1 : 0, a.px(p.k), a.py(v), 4, colour,
                   std::string("class=\"") + cls + "\" data-k=\"" + std::to_string(p.k) + "\"");
        if (silhouette && p.best_silhouette)
            svg.circle(a.px(p.k), a.py(v), 10, "none",
                       std::string("stroke=\"") + kBestColour +
                           "\" stroke-width=\"2.5\" class=\"best\" data-k=\"" +
                           std::to_string(p.k) + "\"");
    }
}

}  // namespace

// Two stacked panels sharing the k axis, legend on the right.
std::string sweep_chart(std::vector<SweepChartPoint> points) {
    if (points.size() > kMaxSweepPoints)
        throw Error(ErrorKind::InvalidParameter,
                    "seg_sweep_chart draws at most " + std::to_string(kMaxSweepPoints) +
                        " values of k, got " + std::to_string(points.size()));
    std::sort(points.begin(), points.end(),
              [](const SweepChartPoint& a, const SweepChartPoint& b) { return a.k < b.k; });
    for (size_t i = 0; i < points.size(); ++i) {
        if (points[i].k < 1)
            throw Error(ErrorKind::InvalidParameter, "seg_sweep_chart: k must be at least 1, got " +
                                                         std::to_string(points[i].k));
        // Hand-made rows: a silhouette outside [-1, 1] was drawn off the panel (1e308 at
        // y="-inf"), a negative or infinite inertia below the axis. NULL (NaN) is left out.
        const double sil = points[i].silhouette, inertia = points[i].inertia;
        if (!std::isnan(sil) && !(sil >= -1 && sil <= 1))
            throw Error(ErrorKind::InvalidParameter,
                        "seg_sweep_chart: a silhouette is between -1 and 1, got " +
                            number_text(sil) + " at k = " + std::to_string(points[i].k));
        if (!std::isnan(inertia) && !(inertia >= 0 && std::isfinite(inertia)))
            throw Error(ErrorKind::InvalidParameter,
                        "seg_sweep_chart: an inertia is a finite number of 0 or more, got " +
                            number_text(inertia) + " at k = " + std::to_string(points[i].k));
        if (i > 0 && points[i].k == points[i - 1].k)
            throw Error(ErrorKind::InvalidParameter,
                        "seg_sweep_chart: k = " + std::to_string(points[i].k) +
                            " appears twice; chart one sweep at a time",
                        "", "GROUP BY what tells the sweeps apart.");
    }
    const int W = 860, H = 580;
    Svg svg(W, H, "Choosing the number of segments: inertia and silhouette by k");
    svg.text(20, 26, "Choosing the number of segments k", "start", 16, 0, "font-weight=\"bold\"");
    const double k_lo = points.empty() ? 1 : points.front().k;
    const double k_hi = points.empty() ? 2 : points.back().k;
    const int x_target = static_cast<int>(std::min<double>(12, std::max(1.0, k_hi - k_lo)));
    auto [i_lo, i_hi] = finite_range(points, false);
    if (std::isnan(i_hi)) i_lo = 0, i_hi = 1;
    auto [s_lo, s_hi] = finite_range(points, true);
    if (std::isnan(s_hi)) s_lo = 0, s_hi = 1;
    const PlotArea top{90,
                       50,
                       470,
                       200,
                       k_lo - 0.5,
                       k_hi + 0.5,
                       std::min(0.0, i_lo),
                       i_hi > 0 ? i_hi * 1.08 : 1.0};
    const double s_pad = std::max(0.02, (s_hi - std::min(0.0, s_lo)) * 0.1);
    const PlotArea bottom{90,
                          320,
                          470,
                          200,
                          k_lo - 0.5,
                          k_hi + 0.5,
                          std::min(0.0, s_lo - s_pad * (s_lo < 0)),
                          std::min(1.0, s_hi + s_pad)};
    svg.axes(top, "number of segments k", "inertia", x_target, 5);
    svg.axes(bottom, "number of segments k", "mean silhouette", x_target, 5);
    for (const SweepChartPoint& p : points) {
        if (!p.elbow) continue;
        const std::string attrs =
            std::string("stroke-dasharray=\"6 4\" class=\"elbow\" data-k=\"") +
            std::to_string(p.k) + "\"";
        for (const PlotArea* a : {&top, &bottom})
            svg.line(a->px(p.k), a->top, a->px(p.k), a->top + a->height, kElbowColour, 2, attrs);
        svg.text(top.px(p.k) + 6, top.top + 16, "elbow: k = " + std::to_string(p.k), "start", 12, 0,
                 std::string("fill=\"") + kElbowColour + "\"");
    }
    for (const SweepChartPoint& p : points) {
        if (!p.best_silhouette || !std::isfinite(p.silhouette)) continue;
        svg.text(bottom.px(p.k), bottom.py(p.silhouette) - 16,
                 "best silhouette: k = " + std::to_string(p.k), "middle", 12);
    }
    draw_series(svg, top, points, false);
    draw_series(svg, bottom, points, true);
    legend(svg, 590, 60, "Legend",
           {{"inertia (lower is tighter)", kInertiaColour, 0, false, ""},
            {"mean silhouette (higher is better)", kSilhouetteColour, 1, false, ""},
            {"elbow of the inertia curve", kElbowColour, 0, true, "stroke-dasharray=\"6 4\""},
            {"best silhouette", "none", 0, false,
             std::string("stroke=\"") + kBestColour + "\" stroke-width=\"2.5\""}});
    if (points.empty()) svg.text(325, 300, "no sweep rows", "middle", 14, 0, "class=\"empty\"");
    return svg.finish();
}

}  // namespace cseg
