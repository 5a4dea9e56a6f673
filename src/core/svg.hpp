// The pieces every chart is made of: XML escaping, fixed number formatting, a small SVG
// document builder, the colour-blind-safe palette (Okabe & Ito 2008) and "nice" axis ticks.
// Everything is deterministic: the same calls give the same bytes on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cseg {

// Text made safe for XML/HTML character data and attribute values: & < > " ' become
// entities; control characters XML 1.0 forbids, and bytes that are not well-formed UTF-8,
// become U+FFFD. User data (feature names, categories, table names) always passes here.
std::string xml_escape(std::string_view text);

// `markup` (UTF-8, as the chart builders write it) with every non-ASCII character written as
// a decimal character reference (U+00E9 as "&#233;") and every byte that is not well-formed
// UTF-8 as "&#65533;": pure ASCII that reads the same in any ASCII-compatible encoding. For a
// database whose encoding is not UTF-8 (markup and text only: the builders put user text in
// character data and attribute values, never in names).
std::string ascii_character_references(std::string_view markup);

// x with exactly `decimals` digits after the point ("%.*f" in the C locale), "-0" printed as
// "0"; NaN as "NaN" and infinities as "inf"/"-inf" (charts never draw those, but labels may).
std::string fixed(double x, int decimals);

// A count with thin thousands separators: 1234567 -> "1,234,567".
std::string count_text(int64_t n);

// A chart's subtitle about its rows: "1,234 rows", or "a seeded sample of 4,000 of 1,000,000
// rows" when fewer were drawn than there are.
std::string rows_note(int64_t drawn, int64_t total);

// Okabe-Ito colour i (cycling through its 8 colours, black last) as "#RRGGBB".
const char* palette_colour(int32_t i);

// The colour of a z-score on the diverging blue - white - vermillion scale (Okabe-Ito's blue
// #0072B2 at z <= -2, white at 0, vermillion #D55E00 at z >= 2), linear in sRGB.
std::string diverging_colour(double z);

// Evenly spaced "nice" tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]
// with about `target` intervals; lo < hi expected (equal ends are widened by one unit).
std::vector<double> nice_ticks(double lo, double hi, int target);

// Decimals needed to print ticks `step` apart without losing digits (0 .. 6).
int tick_decimals(double step);

// A rectangle of the plot area and the data range mapped onto it.
struct PlotArea {
    double left, top, width, height;  // pixels
    double x_lo, x_hi, y_lo, y_hi;    // data
    // Pixel x of data x, pixel y of data y (y grows downwards on screen).
    double px(double x) const { return left + (x - x_lo) / (x_hi - x_lo) * width; }
    double py(double y) const { return top + height - (y - y_lo) / (y_hi - y_lo) * height; }
};

// An SVG document under construction. Coordinates are printed with 2 decimals. Texts given
// to the builder are escaped by it; `raw` appends markup the caller built itself.
class Svg {
  public:
    // Opens <svg> with width/height/viewBox, a <title> (escaped) and the shared style.
    Svg(int width, int height, std::string_view title);
    // Appends markup as it is (already escaped by the caller).
    void raw(std::string_view markup);
    // <rect>; `extra` holds further attributes (already safe), e.g. "class=\"bar\"".
    void rect(double x, double y, double w, double h, std::string_view fill,
              std::string_view extra = {});
    // <line> with a stroke colour and width; `extra` as above (e.g. a dash array).
    void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
              std::string_view extra = {});
    // <circle>.
    void circle(double cx, double cy, double r, std::string_view fill, std::string_view extra = {});
    // <text> (content escaped); anchor "start", "middle" or "end"; rotate in degrees about
    // (x, y); `extra` as above.
    void text(double x, double y, std::string_view content, std::string_view anchor = "start",
              double size = 12, double rotate = 0, std::string_view extra = {});
    // A marker of one of 4 shapes (0 circle, 1 square, 2 triangle, 3 diamond) centred on
    // (x, y) with radius r; `extra` as above.
    void marker(int shape, double x, double y, double r, std::string_view fill,
                std::string_view extra = {});
    // Axes of a plot area: frame, ticks with labels (nice_ticks; a target <= 0: none on that
    // axis), axis titles (the x title x_title_gap pixels under the plot area).
    void axes(const PlotArea& a, std::string_view x_title, std::string_view y_title,
              int x_target = 6, int y_target = 5, double x_title_gap = 38);
    // The finished document (closes </svg>); the builder is spent afterwards.
    std::string finish();

  private:
    std::string out_;
};

// Pixel coordinate as printed in charts (2 decimals).
std::string coord(double v);

// One line of a chart legend: a marker (shape as Svg::marker, or a short line when `line`).
struct LegendEntry {
    std::string label;  // plain text (escaped when drawn)
    std::string colour;
    int shape = 0;
    bool line = false;
    std::string extra;  // further attributes of the marker (already safe), e.g. a dash array
};

// Throws Error(InvalidParameter) naming `what`, the first offence and its byte unless `svg` is
// inert markup of the kind this builder makes: one <svg> root in the SVG namespace (the builder's
// prologue) holding only the chart elements (svg, title, g, rect, line, circle, path,
// polyline, text) with only the chart attributes (coordinates, colours, fonts, class,
// transform, data-*), attribute values of [A-Za-z0-9 #.,()-] only (no URL can be written),
// character data whose only markup is the five predefined entities and decimal character
// references of XML characters (ascii_character_references), nothing after the root,
// no comments, CDATA, processing instructions or doctype. seg_report_page checks the charts
// it is handed with it, so the HTML page carries no script, link or redirect.
void check_chart_markup(std::string_view svg, std::string_view what);

// Draws a legend box at (x, y): an optional heading, then one entry per line (18 px apart).
void legend(Svg& svg, double x, double y, std::string_view heading,
            const std::vector<LegendEntry>& entries);

}  // namespace cseg
