// XML escaping, fixed number formatting, the SVG builder, palette and ticks (svg.hpp).
#include "svg.hpp"

#include "errors.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

namespace cseg {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is not one (overlong
// forms, surrogates and code points above U+10FFFF are not well formed); its code point in
// *code_point when asked.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t* code_point = nullptr) {
    const auto b = [&](size_t j) { return static_cast<unsigned char>(s[j]); };
    const unsigned char c = b(i);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
        if (code_point != nullptr) *code_point = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (size_t j = 1; j < len; ++j) {
        if ((b(i + j) & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (b(i + j) & 0x3Fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    if (cp == 0xFFFE || cp == 0xFFFF) return 0;  // not XML characters either
    if (code_point != nullptr) *code_point = cp;
    return len;
}

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

// Escapes markup characters and replaces what XML cannot carry (see svg.hpp).
std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        switch (c) {
            case '&':
                out += "&amp;";
                ++i;
                continue;
            case '<':
                out += "&lt;";
                ++i;
                continue;
            case '>':
                out += "&gt;";
                ++i;
                continue;
            case '"':
                out += "&quot;";
                ++i;
                continue;
            case '\'':
                out += "&#39;";
                ++i;
                continue;
            default:
                break;
        }
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out += kReplacement;
            ++i;
            continue;
        }
        const size_t len = utf8_sequence(text, i);
        if (len == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(text.substr(i, len));
            i += len;
        }
    }
    return out;
}

// Non-ASCII characters as decimal character references (see svg.hpp).
std::string ascii_character_references(std::string_view markup) {
    std::string out;
    out.reserve(markup.size());
    for (size_t i = 0; i < markup.size();) {
        if (static_cast<unsigned char>(markup[i]) < 0x80) {
            out += markup[i++];
            continue;
        }
        uint32_t cp = 0xFFFD;
        const size_t len = utf8_sequence(markup, i, &cp);
        out += "&#" + std::to_string(cp) + ";";  // U+FFFD where len == 0
        i += len == 0 ? 1 : len;
    }
    return out;
}

// Fixed-point text of x (see svg.hpp).
std::string fixed(double x, int decimals) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    std::string s(buf);
    if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
    return s;
}

// Decimal count with ',' every three digits.
std::string count_text(int64_t n) {
    const std::string digits = std::to_string(n < 0 ? -(n + 1) + 1ULL : uint64_t(n));
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

// "N rows" or "a seeded sample of N of M rows".
std::string rows_note(int64_t drawn, int64_t total) {
    if (drawn < total)
        return "a seeded sample of " + count_text(drawn) + " of " + count_text(total) + " rows";
    return count_text(drawn) + " rows";
}

// Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, yellow, blue,
// vermillion, reddish purple, black.
const char* palette_colour(int32_t i) {
    static const char* const kColours[8] = {"#E69F00", "#56B4E9", "#009E73", "#F0E442",
                                            "#0072B2", "#D55E00", "#CC79A7", "#000000"};
    return kColours[((i % 8) + 8) % 8];
}

// Linear interpolation white -> blue or white -> vermillion by |z| / 2, clamped.
std::string diverging_colour(double z) {
    if (!std::isfinite(z)) z = 0;
    const double t = std::min(1.0, std::fabs(z) / 2.0);
    const int end[3] = {z < 0 ? 0x00 : 0xD5, z < 0 ? 0x72 : 0x5E, z < 0 ? 0xB2 : 0x00};
    char buf[8];
    int rgb[3];
    for (int c = 0; c < 3; ++c) rgb[c] = static_cast<int>(std::lround(255 + (end[c] - 255) * t));
    std::snprintf(buf, sizeof buf, "#%02X%02X%02X", rgb[0], rgb[1], rgb[2]);
    return buf;
}

// Ticks at multiples of a 1-2-5 step (see svg.hpp).
std::vector<double> nice_ticks(double lo, double hi, int target) {
    if (!(hi > lo)) {
        lo -= 1;
        hi += 1;
    }
    const double raw = (hi - lo) / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    const double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    std::vector<double> ticks;
    const double first = std::ceil(lo / step - 1e-9);
    for (double i = first; i * step <= hi + step * 1e-9 && ticks.size() < 100; i += 1)
        ticks.push_back(i * step);
    return ticks;
}

// Digits after the point that a tick step needs.
int tick_decimals(double step) {
    if (!(step > 0)) return 0;
    const int d = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    return std::clamp(d, 0, 6);
}

// Two-decimal pixel coordinate.
std::string coord(double v) { return fixed(v, 2); }

// Opens the document with a white background.
Svg::Svg(int width, int height, std::string_view title) {
    const std::string w = std::to_string(width), h = std::to_string(height);
    out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
           "\" viewBox=\"0 0 " + w + " " + h +
           "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" role=\"img\">\n<title>" +
           xml_escape(title) + "</title>\n";
    rect(0, 0, width, height, "#FFFFFF", "class=\"background\"");
}

// Appends markup verbatim.
void Svg::raw(std::string_view markup) { out_.append(markup); }

// <rect .../>.
void Svg::rect(double x, double y, double w, double h, std::string_view fill,
               std::string_view extra) {
    out_ += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(w) +
            "\" height=\"" + coord(h) + "\" fill=\"";
    out_.append(fill);
    out_ += '"';
    if (!extra.empty()) (out_ += ' ').append(extra);
    out_ += "/>\n";
}

// <line .../>.
void Svg::line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
               std::string_view extra) {
    out_ += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) +
            "\" y2=\"" + coord(y2) + "\" stroke=\"";
    out_.append(stroke);
    out_ += "\" stroke-width=\"" + coord(width) + '"';
    if (!extra.empty()) (out_ += ' ').append(extra);
    out_ += "/>\n";
}

// <circle .../>.
void Svg::circle(double cx, double cy, double r, std::string_view fill, std::string_view extra) {
    out_ +=
        "<circle cx=\"" + coord(cx) + "\" cy=\"" + coord(cy) + "\" r=\"" + coord(r) + "\" fill=\"";
    out_.append(fill);
    out_ += '"';
    if (!extra.empty()) (out_ += ' ').append(extra);
    out_ += "/>\n";
}

// <text ...>escaped content</text>.
void Svg::text(double x, double y, std::string_view content, std::string_view anchor, double size,
               double rotate, std::string_view extra) {
    out_ += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" font-size=\"" + coord(size) + '"';
    if (extra.find("fill=") == std::string_view::npos) out_ += " fill=\"#222222\"";
    if (anchor != "start") (out_ += " text-anchor=\"").append(anchor) += '"';
    if (rotate != 0)
        out_ += " transform=\"rotate(" + coord(rotate) + " " + coord(x) + " " + coord(y) + ")\"";
    if (!extra.empty()) (out_ += ' ').append(extra);
    out_ += '>' + xml_escape(content) + "</text>\n";
}

// One of four marker shapes.
void Svg::marker(int shape, double x, double y, double r, std::string_view fill,
                 std::string_view extra) {
    switch (((shape % 4) + 4) % 4) {
        case 0:
            circle(x, y, r, fill, extra);
            return;
        case 1:
            rect(x - r, y - r, 2 * r, 2 * r, fill, extra);
            return;
        default:
            break;
    }
    const bool triangle = ((shape % 4) + 4) % 4 == 2;
    std::string d = triangle
                        ? "M" + coord(x) + " " + coord(y - 1.2 * r) + "L" + coord(x + 1.1 * r) +
                              " " + coord(y + 0.8 * r) + "L" + coord(x - 1.1 * r) + " " +
                              coord(y + 0.8 * r) + "Z"
                        : "M" + coord(x) + " " + coord(y - 1.3 * r) + "L" + coord(x + 1.3 * r) +
                              " " + coord(y) + "L" + coord(x) + " " + coord(y + 1.3 * r) + "L" +
                              coord(x - 1.3 * r) + " " + coord(y) + "Z";
    out_ += "<path d=\"" + d + "\" fill=\"";
    out_.append(fill);
    out_ += '"';
    if (!extra.empty()) (out_ += ' ').append(extra);
    out_ += "/>\n";
}

// Frame, ticks, tick labels and axis titles.
void Svg::axes(const PlotArea& a, std::string_view x_title, std::string_view y_title, int x_target,
               int y_target, double x_title_gap) {
    out_ += "<g class=\"axes\">\n";
    rect(a.left, a.top, a.width, a.height, "none", "stroke=\"#444444\" stroke-width=\"1\"");
    const std::vector<double> xt =
        x_target > 0 ? nice_ticks(a.x_lo, a.x_hi, x_target) : std::vector<double>{};
    const std::vector<double> yt =
        y_target > 0 ? nice_ticks(a.y_lo, a.y_hi, y_target) : std::vector<double>{};
    const int xd = xt.size() > 1 ? tick_decimals(xt[1] - xt[0]) : 0;
    const int yd = yt.size() > 1 ? tick_decimals(yt[1] - yt[0]) : 0;
    for (double t : xt) {
        if (t < a.x_lo - 1e-9 * (a.x_hi - a.x_lo) || t > a.x_hi + 1e-9 * (a.x_hi - a.x_lo))
            continue;
        const double x = a.px(t);
        line(x, a.top + a.height, x, a.top + a.height + 5, "#444444", 1);
        text(x, a.top + a.height + 18, fixed(t, xd), "middle", 11);
    }
    for (double t : yt) {
        if (t < a.y_lo - 1e-9 * (a.y_hi - a.y_lo) || t > a.y_hi + 1e-9 * (a.y_hi - a.y_lo))
            continue;
        const double y = a.py(t);
        line(a.left - 5, y, a.left, y, "#444444", 1);
        line(a.left, y, a.left + a.width, y, "#E5E5E5", 1);
        text(a.left - 8, y + 4, fixed(t, yd), "end", 11);
    }
    text(a.left + a.width / 2, a.top + a.height + x_title_gap, x_title, "middle", 13, 0,
         "class=\"axis-title x\"");
    text(a.left - 52, a.top + a.height / 2, y_title, "middle", 13, -90, "class=\"axis-title y\"");
    out_ += "</g>\n";
}

// Closes the document.
std::string Svg::finish() {
    out_ += "</svg>\n";
    return std::move(out_);
}

// A boxed legend: heading, then marker + label per entry.
void legend(Svg& svg, double x, double y, std::string_view heading,
            const std::vector<LegendEntry>& entries) {
    svg.raw("<g class=\"legend\">\n");
    double yy = y;
    if (!heading.empty()) {
        svg.text(x, yy + 12, heading, "start", 12, 0, "font-weight=\"bold\"");
        yy += 20;
    }
    for (const LegendEntry& e : entries) {
        if (e.line) {
            svg.line(x, yy + 8, x + 18, yy + 8, e.colour, 2.5, e.extra);
        } else {
            svg.marker(e.shape, x + 9, yy + 8, 5, e.colour, e.extra);
        }
        svg.text(x + 26, yy + 12, e.label, "start", 12);
        yy += 18;
    }
    svg.raw("</g>\n");
}

namespace {

// The elements the chart builders write (check_chart_markup's allowlist).
bool chart_element(std::string_view name) {
    static constexpr std::string_view kNames[] = {"svg",    "title", "g",        "rect", "line",
                                                  "circle", "path",  "polyline", "text"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// The attributes the chart builders write, and data-* attributes (check_chart_markup).
bool chart_attribute(std::string_view name) {
    static constexpr std::string_view kNames[] = {"class",
                                                  "cx",
                                                  "cy",
                                                  "d",
                                                  "fill",
                                                  "fill-opacity",
                                                  "font-family",
                                                  "font-size",
                                                  "font-weight",
                                                  "height",
                                                  "points",
                                                  "r",
                                                  "role",
                                                  "stroke",
                                                  "stroke-dasharray",
                                                  "stroke-width",
                                                  "text-anchor",
                                                  "transform",
                                                  "viewBox",
                                                  "width",
                                                  "x",
                                                  "x1",
                                                  "x2",
                                                  "y",
                                                  "y1",
                                                  "y2"};
    if (name.size() > 5 && name.substr(0, 5) == "data-")
        return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", 5) == std::string_view::npos;
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// Length of the predefined entity xml_escape writes at svg[i] ('&'), or of a decimal
// character reference of an XML character (ascii_character_references), or 0.
size_t chart_entity(std::string_view svg, size_t i) {
    for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"})
        if (svg.substr(i, e.size()) == e) return e.size();
    if (svg.substr(i, 2) != "&#") return 0;
    size_t j = i + 2;
    uint32_t cp = 0;
    while (j < svg.size() && j < i + 9 && svg[j] >= '0' && svg[j] <= '9')
        cp = cp * 10 + uint32_t(svg[j++] - '0');
    if (j == i + 2 || j >= svg.size() || svg[j] != ';' || svg[i + 2] == '0') return 0;
    const bool xml_char = (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
                          (cp >= 0x10000 && cp <= 0x10FFFF) || cp == 0x9 || cp == 0xA || cp == 0xD;
    return xml_char ? j + 1 - i : 0;
}

constexpr std::string_view kSvgNamespace = "http://www.w3.org/2000/svg";

}  // namespace

// A strict single-pass reading of the markup (see svg.hpp): tags, attributes, text.
void check_chart_markup(std::string_view svg, std::string_view what) {
    const auto fail = [what](size_t at, const std::string& offence) {
        throw Error(ErrorKind::InvalidParameter,
                    std::string(what) + " is not a chart made by customer_seg's chart functions: " +
                        offence + " at byte " + std::to_string(at));
    };
    const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t'; };
    const auto name_end = [&](size_t i) {
        while (i < svg.size() &&
               (std::isalnum(static_cast<unsigned char>(svg[i])) || svg[i] == '-'))
            ++i;
        return i;
    };
    static constexpr std::string_view kPrologue = "<svg xmlns=\"http://www.w3.org/2000/svg\" ";
    if (svg.substr(0, kPrologue.size()) != kPrologue)
        fail(0, "it does not start with <svg xmlns=\"http://www.w3.org/2000/svg\"");
    std::vector<std::string_view> open;
    bool closed = false;  // the root's end tag was read
    size_t i = 0;
    while (i < svg.size()) {
        const char c = svg[i];
        if (c != '<') {
            const auto u = static_cast<unsigned char>(c);
            if (open.empty() && !space(c)) fail(i, "text outside the <svg> element");
            if (c == '>') fail(i, "a bare '>' in the text");
            if (u < 0x20 && !space(c) && c != '\r') fail(i, "a control character");
            if (c == '&') {
                const size_t len = chart_entity(svg, i);
                if (len == 0)
                    fail(i,
                         "an entity other than &amp; &lt; &gt; &quot; &#39; or a decimal "
                         "character reference");
                i += len;
            } else {
                ++i;
            }
            continue;
        }
        if (closed) fail(i, "markup after the closing </svg>");
        if (i + 1 < svg.size() && svg[i + 1] == '/') {  // an end tag
            const size_t end = name_end(i + 2);
            const std::string_view name = svg.substr(i + 2, end - i - 2);
            if (open.empty() || open.back() != name || end >= svg.size() || svg[end] != '>')
                fail(i, "an end tag that does not close the open element");
            open.pop_back();
            closed = open.empty();
            i = end + 1;
            continue;
        }
        const size_t end = name_end(i + 1);
        const std::string_view name = svg.substr(i + 1, end - i - 1);
        if (name.empty()) fail(i, "a comment, CDATA section, doctype or processing instruction");
        if (!chart_element(name)) fail(i, "element <" + std::string(name) + ">");
        if ((name == "svg") != open.empty()) fail(i, "<svg> must be the one root element");
        size_t j = end;
        bool self_closing = false;
        for (;;) {
            if (j >= svg.size()) fail(i, "an unterminated tag");
            if (svg[j] == '>') break;
            if (svg[j] == '/') {
                if (j + 1 >= svg.size() || svg[j + 1] != '>') fail(j, "a '/' inside a tag");
                self_closing = true;
                ++j;
                break;
            }
            if (!space(svg[j])) fail(j, "attributes not separated by white space");
            while (j < svg.size() && space(svg[j])) ++j;
            if (j < svg.size() && (svg[j] == '>' || svg[j] == '/')) continue;
            const size_t aend = name_end(j);
            const std::string_view attr = svg.substr(j, aend - j);
            if (aend + 1 >= svg.size() || svg[aend] != '=' || svg[aend + 1] != '"')
                fail(j, "an attribute without a double-quoted value");
            const size_t vend = svg.find('"', aend + 2);
            if (vend == std::string_view::npos) fail(j, "an unterminated attribute value");
            const std::string_view value = svg.substr(aend + 2, vend - aend - 2);
            if (attr == "xmlns") {
                if (!open.empty() || value != kSvgNamespace)
                    fail(j, "an xmlns attribute other than the root's SVG namespace");
            } else if (!chart_attribute(attr)) {
                fail(j, "attribute " + std::string(attr));
            } else if (value.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789 #.,()-") != std::string_view::npos) {
                fail(j, "a character an attribute value of a chart never holds");
            }
            j = vend + 1;
        }
        if (!self_closing) open.push_back(name);
        closed = open.empty();
        i = j + 1;
    }
    if (!closed) fail(svg.size(), "the <svg> element is not closed");
}

}  // namespace cseg
