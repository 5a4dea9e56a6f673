// The dendrogram chart: a hierarchical model's merges (scipy's linkage convention).
#include <algorithm>
#include <cmath>
#include <string>

#include "charts.hpp"
#include "errors.hpp"
#include "svg.hpp"

namespace cseg {
namespace {

// Throws Error(InvalidParameter) for a tree that is not a valid linkage over `leaves`.
void check_tree(const std::vector<DendrogramMerge>& merges, int64_t leaves, int32_t k,
                const std::vector<int64_t>& leaf_sizes, const std::vector<int64_t>& leaf_clusters) {
    const auto bad = [](const std::string& what) {
        throw Error(ErrorKind::InvalidParameter, "seg_dendrogram_chart: " + what);
    };
    if (leaves < 1) bad("the tree has no leaves");
    if (int64_t(merges.size()) != leaves - 1) bad("a tree over L leaves has L - 1 merges");
    if (k < 1 || k > leaves) bad("k must be between 1 and the number of leaves");
    if (!leaf_sizes.empty() && int64_t(leaf_sizes.size()) != leaves) bad("one size per leaf");
    if (!leaf_clusters.empty() && int64_t(leaf_clusters.size()) != leaves)
        bad("one cluster per leaf");
    for (int64_t c : leaf_clusters)
        if (c < 0 || c >= k) bad("leaf clusters must be 0 .. k-1");
    std::vector<char> used(size_t(2 * leaves), 0);
    for (size_t s = 0; s < merges.size(); ++s) {
        const DendrogramMerge& m = merges[s];
        for (int64_t child : {m.left, m.right}) {
            if (child < 0 || child >= leaves + int64_t(s))
                bad("step " + std::to_string(s) + " merges node " + std::to_string(child) +
                    ", which does not exist yet");
            if (used[size_t(child)]++) bad("node " + std::to_string(child) + " is merged twice");
        }
        if (!std::isfinite(m.height) || m.height < 0) bad("merge heights must be finite and >= 0");
    }
}

}  // namespace

// Leaves in scipy's order (left child first), U-shaped links, clusters of the cut coloured.
std::string dendrogram_chart(const std::vector<DendrogramMerge>& merges, int64_t leaves, int32_t k,
                             const std::vector<int64_t>& leaf_sizes,
                             const std::vector<int64_t>& leaf_clusters) {
    check_tree(merges, leaves, k, leaf_sizes, leaf_clusters);
    const int64_t L = leaves, shown = std::min(L, kDendrogramMaxShown);
    const int64_t first_shown = 2 * L - shown;  // nodes >= this are drawn as merges
    const auto size_of = [&](int64_t node) -> int64_t {
        if (node >= L) return merges[size_t(node - L)].size;
        return leaf_sizes.empty() ? 1 : leaf_sizes[size_t(node)];
    };
    const auto children = [&](int64_t node) {
        return std::pair<int64_t, int64_t>{merges[size_t(node - L)].left,
                                           merges[size_t(node - L)].right};
    };
    const int64_t root = 2 * L - 2;
    // Display order of the drawn leaves: depth first, left child first.
    std::vector<int64_t> order, stack{root};
    while (!stack.empty()) {
        const int64_t node = stack.back();
        stack.pop_back();
        if (node < first_shown || node < L) {
            order.push_back(node);
            continue;
        }
        const auto [l, r] = children(node);
        stack.push_back(r);
        stack.push_back(l);
    }
    // Cluster roots of the cut: the nodes directly under the top k - 1 merges.
    const int64_t first_above = 2 * L - k;  // nodes >= this are above the cut
    std::vector<int64_t> roots;
    if (k == 1) {
        roots.push_back(root);
    } else {
        for (int64_t node = first_above; node <= root; ++node) {
            const auto [l, r] = children(node);
            for (int64_t c : {l, r})
                if (c < first_above) roots.push_back(c);
        }
    }
    std::vector<double> pos(size_t(2 * L - 1), 0.0), height(size_t(2 * L - 1), 0.0);
    for (size_t i = 0; i < order.size(); ++i) pos[size_t(order[i])] = double(i);
    std::sort(roots.begin(), roots.end(), [&](int64_t a, int64_t b) {
        if (size_of(a) != size_of(b)) return size_of(a) > size_of(b);
        return a < b;
    });
    // The segment of each cluster root: the model's (any leaf under it), else its size rank.
    std::vector<int32_t> segment(roots.size());
    for (size_t rank = 0; rank < roots.size(); ++rank) {
        segment[rank] = int32_t(rank);
        if (leaf_clusters.empty()) continue;
        int64_t node = roots[rank];
        while (node >= L) node = children(node).first;
        segment[rank] = int32_t(leaf_clusters[size_t(node)]);
    }
    std::vector<int32_t> colour_of(size_t(2 * L - 1), -1);
    for (size_t rank = 0; rank < roots.size(); ++rank) {
        std::vector<int64_t> todo{roots[rank]};
        while (!todo.empty()) {
            const int64_t node = todo.back();
            todo.pop_back();
            colour_of[size_t(node)] = segment[rank];
            if (node >= L) {
                const auto [l, r] = children(node);
                todo.push_back(l);
                todo.push_back(r);
            }
        }
    }
    double h_max = 0;
    for (int64_t node = std::max(first_shown, L); node <= root; ++node) {
        const auto [l, r] = children(node);
        pos[size_t(node)] = (pos[size_t(l)] + pos[size_t(r)]) / 2;
        height[size_t(node)] = merges[size_t(node - L)].height;
        h_max = std::max(h_max, height[size_t(node)]);
    }
    const int W = 960, H = 600;
    Svg svg(W, H,
            "Dendrogram of a hierarchical model, cut into " + std::to_string(k) + " clusters");
    svg.text(20, 26, "Dendrogram (merge distance of every join)", "start", 16, 0,
             "font-weight=\"bold\"");
    svg.text(20, 44,
             std::to_string(L) + " leaves" +
                 (shown < L ? "; the last " + std::to_string(shown) +
                                  " clusters shown, collapsed ones labelled (rows)"
                            : "") +
                 "; cut into " + std::to_string(k) + " clusters",
             "start", 12, 0, "class=\"subtitle\"");
    const PlotArea a{
        90, 60, 620, 440, -0.5, double(order.size()) - 0.5, 0.0, h_max > 0 ? h_max * 1.05 : 1.0};
    const bool rotate = order.size() > 12;  // leaf labels slanted, the x title under them
    svg.axes(a, shown < L ? "clusters (rows)" : "leaves", "merge distance", 0, 6,
             rotate ? 66 : 38);
    for (int64_t node = std::max(first_shown, L); node <= root; ++node) {
        const auto [l, r] = children(node);
        const int32_t c = colour_of[size_t(node)];
        const std::string d = "M" + coord(a.px(pos[size_t(l)])) + " " +
                              coord(a.py(height[size_t(l)])) + "V" +
                              coord(a.py(height[size_t(node)])) + "H" +
                              coord(a.px(pos[size_t(r)])) + "V" + coord(a.py(height[size_t(r)]));
        svg.raw("<path d=\"" + d + "\" fill=\"none\" stroke=\"" +
                (c >= 0 ? std::string(palette_colour(c)) : std::string("#555555")) +
                "\" stroke-width=\"1.6\" class=\"link\" data-node=\"" + std::to_string(node) +
                "\"/>\n");
    }
    for (size_t i = 0; i < order.size(); ++i) {
        const int64_t node = order[i];
        const std::string label =
            node < L ? std::to_string(node) : "(" + count_text(size_of(node)) + ")";
        const double x = a.px(double(i)), y = a.top + a.height + 14;
        const int32_t c = colour_of[size_t(node)];
        svg.circle(x, a.py(0), 2.5, c >= 0 ? palette_colour(c) : "#555555", "class=\"leaf\"");
        svg.text(x, y, label, rotate ? "end" : "middle", 10, rotate ? -60 : 0,
                 "class=\"leaf-label\"");
    }
    if (k >= 2) {
        const size_t below = size_t(L - 1 - k);  // highest merge under the cut (if any)
        const double cut =
            k < L ? (merges[below].height + merges[below + 1].height) / 2 : merges[0].height / 2;
        svg.line(a.left, a.py(cut), a.left + a.width, a.py(cut), "#D55E00", 1.5,
                 "stroke-dasharray=\"6 4\" class=\"cut\"");
    }
    std::vector<LegendEntry> entries;
    std::vector<size_t> by_segment(roots.size());
    for (size_t i = 0; i < roots.size(); ++i) by_segment[i] = i;
    std::sort(by_segment.begin(), by_segment.end(),
              [&](size_t a, size_t b) { return segment[a] < segment[b]; });
    for (size_t i = 0; i < roots.size() && i < 16; ++i) {
        const size_t r = by_segment[i];
        entries.push_back({"segment " + std::to_string(segment[r]) + ": " +
                               count_text(size_of(roots[r])) + " rows",
                           palette_colour(segment[r]), 0, true, ""});
    }
    if (roots.size() > 16)
        entries.push_back(
            {"... " + std::to_string(roots.size() - 16) + " more", "#FFFFFF", 0, false, ""});
    entries.push_back({"above the cut", "#555555", 0, true, ""});
    if (k >= 2)
        entries.push_back({"cut into " + std::to_string(k) + " clusters", "#D55E00", 0, true,
                           "stroke-dasharray=\"6 4\""});
    legend(svg, 740, 70, "Segments", entries);
    return svg.finish();
}

}  // namespace cseg
