// The SVG charts and the report: escaping of user text, fixed number formatting, the marks
// each chart must carry, deterministic bytes, and errors on malformed input.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "charts.hpp"
#include "json.hpp"
#include "model_test_util.hpp"
#include "svg.hpp"

namespace cseg {
namespace {

// Occurrences of needle in hay.
size_t count(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

// A model whose first feature is named like an attack.
Model hostile_model() {
    Model m = test::sample_model();
    m.centroids = {0.1, -1.25, 0.0, 0.5, 1.5, -2.5};
    m.feature_names = {"<script>alert(1)</script>", "income & \"k$\""};
    m.options.feature_names = m.feature_names;
    return m;
}

TEST(Svg, EscapesMarkupAndInvalidText) {
    EXPECT_EQ(xml_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(xml_escape("a&b\"c'd"), "a&amp;b&quot;c&#39;d");
    EXPECT_EQ(xml_escape("caf\xC3\xA9"), "caf\xC3\xA9");  // UTF-8 kept
    EXPECT_EQ(xml_escape("x\x01y"), "x\xEF\xBF\xBDy");    // control char
    EXPECT_EQ(xml_escape("\xC3"), "\xEF\xBF\xBD");        // truncated sequence
    EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(Svg, AsciiCharacterReferences) {
    EXPECT_EQ(ascii_character_references("<text>caf\xC3\xA9 &amp; x</text>"),
              "<text>caf&#233; &amp; x</text>");
    EXPECT_EQ(ascii_character_references("\xE2\x82\xAC\xF0\x9F\x98\x80"), "&#8364;&#128512;");
    EXPECT_EQ(ascii_character_references(std::string("a\xC3") + "b"), "a&#65533;b");  // not UTF-8
    EXPECT_EQ(ascii_character_references("plain <svg/>"), "plain <svg/>");
    // The chart checker takes what it writes: a profile chart of a non-ASCII name.
    Model m = hostile_model();
    m.feature_names[1] = "caf\xC3\xA9 \xE2\x82\xAC";
    const std::string svg = ascii_character_references(profile_chart(m));
    EXPECT_NE(svg.find(">caf&#233; &#8364;</text>"), std::string::npos);
    EXPECT_TRUE(std::all_of(svg.begin(), svg.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
    check_chart_markup(svg, "profile");
}

TEST(Svg, FixedNumbers) {
    EXPECT_EQ(fixed(-0.0001, 2), "0.00");
    EXPECT_EQ(fixed(1234.5678, 1), "1234.6");
    EXPECT_EQ(fixed(-1.5, 0), "-2");
    EXPECT_EQ(count_text(1234567), "1,234,567");
    EXPECT_EQ(count_text(12), "12");
    EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
    EXPECT_EQ(diverging_colour(0), "#FFFFFF");
    EXPECT_EQ(diverging_colour(-5), "#0072B2");
    EXPECT_EQ(diverging_colour(2), "#D55E00");
}

TEST(Charts, SweepMarksElbowAndBest) {
    std::vector<SweepChartPoint> pts;
    const double inertia[] = {600, 389.4, 295.2, 205.2, 168.2, 133.9};
    const double sil[] = {NAN, 0.335, 0.358, 0.404, 0.417, 0.427};
    for (int k = 6; k >= 1; --k)  // any order
        pts.push_back({k, inertia[k - 1], sil[k - 1], k == 4, k == 6});
    const std::string svg = sweep_chart(pts);
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_EQ(count(svg, "class=\"point inertia\""), 6u);
    EXPECT_EQ(count(svg, "class=\"point silhouette\""), 5u);  // k = 1 has none
    EXPECT_EQ(count(svg, "class=\"elbow\" data-k=\"4\""), 2u);
    EXPECT_EQ(count(svg, "class=\"best\" data-k=\"6\""), 1u);
    EXPECT_NE(svg.find("<title>"), std::string::npos);
    EXPECT_NE(svg.find("number of segments k"), std::string::npos);
    EXPECT_EQ(sweep_chart(pts), svg);  // same bytes
    pts.push_back({3, 1, 0.1, false, false});
    test::expect_error([&] { sweep_chart(pts); }, ErrorKind::InvalidParameter,
                       "k = 3 appears twice");
    test::expect_error(
        [&] {
            sweep_chart({{0, 1, 1, false, false}});
        },
        ErrorKind::InvalidParameter, "k must be at least 1");
    // Hand-made rows: a silhouette outside [-1, 1] (1e308 was drawn at y="-inf"), a negative
    // or infinite inertia; NaN (NULL) is left out as before.
    test::expect_error(
        [&] {
            sweep_chart({{2, 1, 1e308, false, false}});
        },
        ErrorKind::InvalidParameter, "a silhouette is between -1 and 1, got 1e+308 at k = 2");
    test::expect_error(
        [&] {
            sweep_chart({{2, 1, -1.5, false, false}});
        },
        ErrorKind::InvalidParameter, "got -1.5 at k = 2");
    test::expect_error(
        [&] {
            sweep_chart({{3, -1, 0.5, false, false}});
        },
        ErrorKind::InvalidParameter, "an inertia is a finite number of 0 or more, got -1");
    test::expect_error(
        [&] {
            sweep_chart({{3, INFINITY, 0.5, false, false}});
        },
        ErrorKind::InvalidParameter, "got Infinity at k = 3");
    EXPECT_NO_THROW(sweep_chart({{1, NAN, NAN, false, false}, {2, 0, -1, false, false}}));
}

TEST(Charts, SilhouetteOnePathPerSegmentAndMean) {
    SilhouetteChartInput in;
    in.k = 3;
    for (int i = 0; i < 300; ++i) {
        in.labels.push_back(i % 3);
        in.values.push_back((i % 3 == 2) ? -0.05 + 0.001 * i : 0.2 + 0.002 * i);
    }
    in.labels.pop_back();  // segment 2 keeps 99 rows
    in.values.pop_back();
    double s = 0;
    for (double v : in.values) s += v;
    in.mean = s / double(in.values.size());
    in.rows_total = 1000;
    const std::string svg = silhouette_chart(in);
    EXPECT_EQ(count(svg, "class=\"cluster\""), 3u);
    EXPECT_EQ(count(svg, "data-rows=\"100\""), 2u);
    EXPECT_EQ(count(svg, "data-rows=\"99\""), 1u);
    EXPECT_EQ(count(svg, "class=\"mean\""), 1u);
    EXPECT_NE(svg.find("a seeded sample of 299 of 1,000 rows"), std::string::npos);
    EXPECT_EQ(silhouette_chart(in), svg);
}

TEST(Charts, MapDrawsEveryPointAndCentroid) {
    MapChartInput in;
    in.k = 2;
    for (int i = 0; i < 50; ++i) {
        in.xy.push_back(i * 0.1);
        in.xy.push_back((i % 7) - 3.0);
        in.labels.push_back(i % 2);
    }
    in.centroid_xy = {2.4, 0.0, 2.5, 0.1};
    in.sizes = {25, 25};
    in.variance_ratio = {0.5, 0.25};
    in.rows_total = 50;
    const std::string svg = map_chart(in);
    EXPECT_EQ(count(svg, "<circle cx="), 50u + 2u + 3u);  // points, centroids, legend markers
    EXPECT_EQ(count(svg, "class=\"centroid\""), 2u);
    EXPECT_NE(svg.find("PC1 (50.0 % of variance)"), std::string::npos);
    EXPECT_EQ(map_chart(in), svg);
}

TEST(Charts, ProfileEscapesFeatureNames) {
    const Model m = hostile_model();
    const std::string svg = profile_chart(m);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(svg.find("income &amp; &quot;k$&quot;"), std::string::npos);
    EXPECT_EQ(count(svg, "class=\"cell\""), size_t(m.k * m.dims));
    EXPECT_EQ(profile_chart(m), svg);
}

// A name over 40 bytes is shortened to 38 bytes and "...", never inside a character: 37
// ASCII bytes and then "é" (2 bytes) would be cut after its first byte (shown as U+FFFD).
TEST(Charts, ProfileShortensLongNamesBetweenCharacters) {
    Model m = test::sample_model();
    m.feature_names = {std::string(37, 'a') + "\xC3\xA9" + "tail", "b"};
    m.options.feature_names = m.feature_names;
    const std::string svg = profile_chart(m);
    EXPECT_NE(svg.find(">" + std::string(37, 'a') + "...</text>"), std::string::npos);
    EXPECT_EQ(svg.find("\xEF\xBF\xBD"), std::string::npos);  // no U+FFFD
    EXPECT_EQ(utf8_prefix("ab\xC3\xA9", 3), "ab");
    EXPECT_EQ(utf8_prefix("ab\xC3\xA9", 4), "ab\xC3\xA9");
    EXPECT_EQ(utf8_prefix("ab\xE2\x82\xAC", 4), "ab");
    EXPECT_EQ(utf8_prefix("ab", 0), "");
}

// scipy's linkage convention: 4 leaves, nodes 4, 5, 6.
std::vector<DendrogramMerge> small_tree() {
    return {{0, 1, 0.5, 2}, {2, 3, 0.8, 2}, {4, 5, 2.0, 4}};
}

TEST(Charts, DendrogramLinksCutAndErrors) {
    const std::string svg = dendrogram_chart(small_tree(), 4, 2);
    EXPECT_EQ(count(svg, "class=\"link\""), 3u);
    EXPECT_EQ(count(svg, "class=\"leaf\""), 4u);
    EXPECT_EQ(count(svg, "class=\"cut\""), 1u);
    EXPECT_EQ(count(svg, "segment 0: 2 rows"), 1u);
    // With the model's leaf clusters the subtrees take the model's segment numbers.
    const std::string own = dendrogram_chart(small_tree(), 4, 2, {1, 1, 1, 1}, {1, 1, 0, 0});
    const std::string link4 = "stroke=\"" + std::string(palette_colour(1)) +
                              "\" stroke-width=\"1.6\" class=\"link\" data-node=\"4\"";
    EXPECT_NE(own.find(link4), std::string::npos);
    test::expect_error(
        [&] {
            dendrogram_chart(small_tree(), 4, 2, {}, {0, 0, 2, 0});
        },
        ErrorKind::InvalidParameter, "leaf clusters must be");
    EXPECT_EQ(dendrogram_chart(small_tree(), 4, 2), svg);
    auto bad = small_tree();
    bad[2].left = 1;  // leaf 1 merged twice
    test::expect_error([&] { dendrogram_chart(bad, 4, 2); }, ErrorKind::InvalidParameter,
                       "node 1 is merged twice");
    bad = small_tree();
    bad[0].right = 5;  // does not exist yet
    test::expect_error([&] { dendrogram_chart(bad, 4, 2); }, ErrorKind::InvalidParameter,
                       "does not exist yet");
    test::expect_error([&] { dendrogram_chart(small_tree(), 4, 5); }, ErrorKind::InvalidParameter,
                       "k must be between");
}

TEST(Charts, DendrogramTruncatesToLastClusters) {
    // A chain over 100 leaves: leaf i joins the growing cluster at height i.
    std::vector<DendrogramMerge> merges;
    merges.push_back({0, 1, 1.0, 2});
    for (int64_t s = 1; s < 99; ++s) merges.push_back({100 + s - 1, s + 1, double(s + 1), s + 2});
    const std::string svg = dendrogram_chart(merges, 100, 3);
    EXPECT_EQ(count(svg, "class=\"leaf\""), size_t(kDendrogramMaxShown));
    EXPECT_EQ(count(svg, "class=\"link\""), size_t(kDendrogramMaxShown - 1));
    EXPECT_NE(svg.find("(71)"), std::string::npos);  // the collapsed bottom of the chain
}

TEST(Report, SelfContainedAndEscaped) {
    const Model m = hostile_model();
    ReportInput in;
    in.model = &m;
    in.source = "public.\"<b>customers</b>\"";
    in.features = {"<script>alert(1)</script>", "income"};
    in.charts.push_back({"Profiles", profile_chart(m)});
    const std::string html = report_html(in);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_EQ(html.find("http://", html.find("</svg>")), std::string::npos);
    EXPECT_EQ(count(html, "<svg"), 1u);
    EXPECT_NE(html.find("&lt;b&gt;customers&lt;/b&gt;"), std::string::npos);
}

// check_chart_markup passes every chart the builders make (hostile names included) and
// refuses markup that could run or load something in seg_report's page.
TEST(Report, ChartMarkupCheck) {
    const Model m = hostile_model();
    check_chart_markup(profile_chart(m), "profile");
    check_chart_markup(dendrogram_chart(small_tree(), 4, 2), "dendrogram");
    std::vector<SweepChartPoint> pts = {{1, 600, NAN, false, false}, {2, 389, 0.3, true, true}};
    check_chart_markup(sweep_chart(pts), "sweep");
    MapChartInput map;
    map.k = 1;
    map.xy = {0, 0, 1, 1};
    map.labels = {0, 0};
    map.centroid_xy = {0.5, 0.5};
    map.sizes = {2};
    map.variance_ratio = {0.5, 0.5};
    map.rows_total = 2;
    check_chart_markup(map_chart(map), "map");
    const std::string open = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\">";
    check_chart_markup(open + "<title>a &lt;b&gt; &amp; c</title></svg>\n", "ok");
    check_chart_markup(open + "<text>&#233;&#1114111;&#9;</text></svg>", "numeric references");
    const std::pair<std::string, std::string> refused[] = {
        {open + "</svg><script>alert(1)</script>", "markup after the closing </svg>"},
        {"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>",
         "attribute onload"},
        {open + "<script>alert(1)</script></svg>", "element <script>"},
        {open + "<foreignObject><meta http-equiv=\"refresh\"/></foreignObject></svg>",
         "element <foreignObject>"},
        {open + "<a href=\"https://evil.example\"><text>x</text></a></svg>", "element <a>"},
        {open + "<rect fill=\"url(https://evil.example/x)\"/></svg>",
         "a character an attribute value of a chart never holds"},
        {open + "<rect style=\"x\"/></svg>", "attribute style"},
        {open + "<!-- x --></svg>", "a comment, CDATA section"},
        {open + "<![CDATA[<script>]]></svg>", "a comment, CDATA section"},
        {open + "<text>&nbsp;</text></svg>", "an entity other than"},
        {open + "<text>&#1;</text></svg>", "an entity other than"},
        {open + "<text>&#xE9;</text></svg>", "an entity other than"},
        {open + "<text>&#0233;</text></svg>", "an entity other than"},
        {open + "<text>&#55296;</text></svg>", "an entity other than"},
        {open + "<text>&#1114112;</text></svg>", "an entity other than"},
        {open + "<text>&#233</text></svg>", "an entity other than"},
        {open + "<text>]]></text></svg>", "a bare '>'"},
        {open + "<g><rect/></svg>", "an end tag that does not close"},
        {open + "<g>", "the <svg> element is not closed"},
        {open + "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg></svg>", "must be the one root"},
        {open + "<rect/x=\"1\"/></svg>", "a '/' inside a tag"},
        {open + "<rect x=1/></svg>", "without a double-quoted value"},
        {open + "<rect x=\"1\"y=\"2\"/></svg>", "not separated by white space"},
        {open + "<rect xmlns=\"http://www.w3.org/1999/xhtml\"/></svg>", "an xmlns attribute"},
        {"<svg xmlns=\"http://www.w3.org/1999/xhtml\" ></svg>", "it does not start with"},
        {"x" + open + "</svg>", "it does not start with"},
        {open + "<text>\x01</text></svg>", "a control character"},
    };
    for (const auto& [svg, why] : refused) {
        const std::string msg = test::expect_error([&] { check_chart_markup(svg, "map_svg"); },
                                                   ErrorKind::InvalidParameter, why);
        EXPECT_EQ(msg.rfind("map_svg is not a chart made by customer_seg's chart functions: ", 0),
                  0u)
            << msg;
    }
}

}  // namespace
}  // namespace cseg
