// Strict JSON parsing into a small DOM, and compact writing with shortest round-trip doubles.
#include "json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace cseg {

// Recursive-descent parser over one JSON text; depth is bounded by kJsonMaxDepth.
class JsonParser {
  public:
    JsonParser(std::string_view text, ErrorKind kind) : s_(text), kind_(kind) {}

    // Records every \u escape of a non-ASCII character into *out while parsing.
    void record_non_ascii_escapes(std::vector<JsonNonAsciiEscape>* out) { escapes_ = out; }

    // Parses the whole text: one value surrounded by optional whitespace.
    Json parse_document() {
        Json v;
        skip_ws();
        parse_value(v, 0);
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected text after the JSON value");
        return v;
    }

  private:
    // Throws Error(kind) saying where and what.
    [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }

    // Throws Error(kind) for a problem at byte offset `at`.
    [[noreturn]] void fail_at(size_t at, const std::string& what) const {
        throw Error(kind_, "invalid JSON at byte " + std::to_string(at) + ": " + what);
    }

    // Skips JSON whitespace (space, tab, LF, CR).
    void skip_ws() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }

    // The current byte, or '\0' at the end of input.
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

    // Consumes `word` (true/false/null) or fails.
    void expect_word(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) fail("invalid literal");
        pos_ += word.size();
    }

    // Parses any value at the current position into v; depth = enclosing containers.
    void parse_value(Json& v, int32_t depth) {
        if (pos_ >= s_.size()) fail("unexpected end of input, expected a value");
        const char c = s_[pos_];
        switch (c) {
            case '{':
                parse_container(v, depth, true);
                return;
            case '[':
                parse_container(v, depth, false);
                return;
            case '"':
                v.type_ = Json::Type::String;
                parse_string(v.text_);
                return;
            case 't':
            case 'f':
                expect_word(c == 't' ? "true" : "false");
                v.type_ = Json::Type::Bool;
                v.bool_ = c == 't';
                return;
            case 'n':
                expect_word("null");
                v.type_ = Json::Type::Null;
                return;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    parse_number(v);
                    return;
                }
                fail(std::string("unexpected character '") + printable(c) + "'");
        }
    }

    // A byte as text for messages: itself when printable ASCII, else \xNN.
    static std::string printable(char c) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) return std::string(1, c);
        static const char hex[] = "0123456789abcdef";
        return std::string("\\x") + hex[u >> 4] + hex[u & 15];
    }

    // Parses an object (is_object) or array starting at '{' / '['.
    void parse_container(Json& v, int32_t depth, bool is_object) {
        if (depth >= kJsonMaxDepth)
            throw Error(kind_, "JSON nesting too deep at byte " + std::to_string(pos_),
                        "At most " + std::to_string(kJsonMaxDepth) +
                            " levels of arrays and objects are allowed.");
        const char close = is_object ? '}' : ']';
        v.type_ = is_object ? Json::Type::Object : Json::Type::Array;
        ++pos_;
        skip_ws();
        if (peek() == close) {
            ++pos_;
            return;
        }
        for (;;) {
            if (is_object) {
                if (peek() != '"') fail("expected a string key");
                v.keys_.emplace_back();
                parse_string(v.keys_.back());
                skip_ws();
                if (peek() != ':') fail("expected ':' after an object key");
                ++pos_;
                skip_ws();
            }
            v.items_.emplace_back();
            parse_value(v.items_.back(), depth + 1);
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                skip_ws();
                continue;
            }
            if (peek() == close) {
                ++pos_;
                break;
            }
            fail(std::string("expected ',' or '") + close + "'");
        }
        if (is_object) reject_duplicate_keys(v.keys_);
    }

    // Throws when an object has the same key twice (O(n log n), safe for huge objects).
    void reject_duplicate_keys(const std::vector<std::string>& keys) const {
        if (keys.size() < 2) return;
        std::vector<const std::string*> sorted;
        sorted.reserve(keys.size());
        for (const auto& k : keys) sorted.push_back(&k);
        std::sort(sorted.begin(), sorted.end(),
                  [](const std::string* a, const std::string* b) { return *a < *b; });
        for (size_t i = 1; i < sorted.size(); ++i)
            if (*sorted[i] == *sorted[i - 1])
                throw Error(kind_, "invalid JSON: duplicate object key \"" + *sorted[i] + "\"",
                            "The object ending at byte " + std::to_string(pos_) +
                                " has this key more than once.");
    }

    // Reads 4 hex digits of a \u escape.
    uint32_t parse_hex4() {
        if (s_.size() - pos_ < 4) fail("truncated \\u escape");
        uint32_t u = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_++];
            u <<= 4;
            if (c >= '0' && c <= '9')
                u |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f')
                u |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                u |= uint32_t(c - 'A' + 10);
            else
                fail_at(pos_ - 1, "invalid hex digit in \\u escape");
        }
        return u;
    }

    // Appends code point cp as UTF-8.
    static void append_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    // Decodes one \uXXXX escape (the "\u" already consumed), pairing surrogates.
    void parse_unicode_escape(std::string& out) {
        const size_t start = pos_ - 2;
        uint32_t cp = parse_hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) fail_at(start, "lone low surrogate in \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(pos_, 2) != "\\u") fail_at(start, "lone high surrogate in \\u escape");
            pos_ += 2;
            const uint32_t lo = parse_hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail_at(start, "lone high surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0) fail_at(start, "\\u0000 is not allowed in text");
        if (escapes_ != nullptr && cp >= 0x80) escapes_->push_back({start, pos_ - start, cp});
        append_utf8(out, cp);
    }

    // Parses a string starting at '"' into out (escapes decoded).
    void parse_string(std::string& out) {
        const size_t start = pos_;
        ++pos_;
        for (;;) {
            if (pos_ >= s_.size()) fail_at(start, "unterminated string");
            const char c = s_[pos_];
            if (c == '"') {
                ++pos_;
                return;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character " + printable(c) + " must be escaped in a string");
            if (c != '\\') {
                // Copy the run of plain bytes at once.
                size_t end = pos_ + 1;
                while (end < s_.size() && s_[end] != '"' && s_[end] != '\\' &&
                       static_cast<unsigned char>(s_[end]) >= 0x20)
                    ++end;
                out.append(s_.data() + pos_, end - pos_);
                pos_ = end;
                continue;
            }
            if (pos_ + 1 >= s_.size()) fail_at(start, "unterminated string");
            const char e = s_[pos_ + 1];
            pos_ += 2;
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u':
                    parse_unicode_escape(out);
                    break;
                default:
                    fail_at(pos_ - 2, "invalid escape \\" + printable(e));
            }
        }
    }

    // Consumes a run of ASCII digits; returns how many.
    size_t skip_digits() {
        const size_t from = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        return pos_ - from;
    }

    // Parses a number per the RFC 8259 grammar; keeps its text and the nearest double.
    void parse_number(Json& v) {
        const size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
            if (peek() >= '0' && peek() <= '9') fail("leading zeros are not allowed in numbers");
        } else if (skip_digits() == 0) {
            fail("expected a digit");
        }
        if (peek() == '.') {
            ++pos_;
            if (skip_digits() == 0) fail("expected a digit after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (skip_digits() == 0) fail("expected a digit in the exponent");
        }
        const char* first = s_.data() + start;
        const char* last = s_.data() + pos_;
        double d = 0.0;
        const auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc() || r.ptr != last || !std::isfinite(d))
            fail_at(start, "number " + std::string(first, last) +
                               " is out of range for a double precision value");
        v.type_ = Json::Type::Number;
        v.number_ = d;
        v.text_.assign(first, last);
    }

    std::string_view s_;
    ErrorKind kind_;
    size_t pos_ = 0;
    std::vector<JsonNonAsciiEscape>* escapes_ = nullptr;
};

// Decomposes the number text into sign and exact integer magnitude, if integral.
bool Json::integer_parts(bool& negative, uint64_t& magnitude) const {
    if (type_ != Type::Number) return false;
    const std::string& t = text_;
    size_t i = 0;
    negative = !t.empty() && t[0] == '-';
    if (negative) ++i;
    std::string digits;  // integer and fraction digits, without the point
    int64_t exp10 = 0;   // value = digits * 10^exp10
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) digits += t[i];
    if (i < t.size() && t[i] == '.') {
        for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
            digits += t[i];
            --exp10;
        }
    }
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        const bool neg_exp = i < t.size() && t[i] == '-';
        if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
        int64_t e = 0;
        for (; i < t.size(); ++i) e = std::min<int64_t>(e * 10 + (t[i] - '0'), 1000000000);
        exp10 += neg_exp ? -e : e;
    }
    const size_t nz = digits.find_first_not_of('0');
    magnitude = 0;
    if (nz == std::string::npos) return true;  // zero, whatever the exponent
    digits.erase(0, nz);
    while (digits.back() == '0') {
        digits.pop_back();
        ++exp10;
    }
    if (exp10 < 0) return false;  // a fraction remains
    if (exp10 > 20 || digits.size() + size_t(exp10) > 20) return false;
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    for (char c : digits) {
        const uint64_t d = uint64_t(c - '0');
        if (magnitude > (kMax - d) / 10) return false;
        magnitude = magnitude * 10 + d;
    }
    for (int64_t e = 0; e < exp10; ++e) {
        if (magnitude > kMax / 10) return false;
        magnitude *= 10;
    }
    return true;
}

// Exact int64 value of an integral Number.
std::optional<int64_t> Json::int64_value() const {
    bool negative = false;
    uint64_t m = 0;
    if (!integer_parts(negative, m)) return std::nullopt;
    constexpr uint64_t kMaxPos = uint64_t(std::numeric_limits<int64_t>::max());
    if (!negative) {
        if (m > kMaxPos) return std::nullopt;
        return int64_t(m);
    }
    if (m > kMaxPos + 1) return std::nullopt;
    return m == kMaxPos + 1 ? std::numeric_limits<int64_t>::min() : -int64_t(m);
}

// Exact uint64 value of an integral Number.
std::optional<uint64_t> Json::uint64_value() const {
    bool negative = false;
    uint64_t m = 0;
    if (!integer_parts(negative, m) || (negative && m != 0)) return std::nullopt;
    return m;
}

// Linear lookup of an object member by name.
const Json* Json::find(std::string_view key) const {
    if (type_ != Type::Object) return nullptr;
    for (size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] == key) return &items_[i];
    return nullptr;
}

// English name of a JSON type for error messages.
const char* json_type_name(Json::Type t) {
    switch (t) {
        case Json::Type::Null:
            return "null";
        case Json::Type::Bool:
            return "a boolean";
        case Json::Type::Number:
            return "a number";
        case Json::Type::String:
            return "a string";
        case Json::Type::Array:
            return "an array";
        case Json::Type::Object:
            return "an object";
    }
    return "an unknown JSON value";
}

// Parses one JSON text into a DOM.
Json json_parse(std::string_view text, ErrorKind kind) {
    return JsonParser(text, kind).parse_document();
}

// s cut at max_bytes, moved back to the start of the character that would be split.
std::string_view utf8_prefix(std::string_view s, size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

// Parses the text, recording its non-ASCII \u escapes.
std::vector<JsonNonAsciiEscape> json_non_ascii_escapes(std::string_view text, ErrorKind kind) {
    std::vector<JsonNonAsciiEscape> out;
    JsonParser parser(text, kind);
    parser.record_non_ascii_escapes(&out);
    parser.parse_document();
    return out;
}

// json_parse, then the object check.
Json json_parse_options(std::string_view text, const char* what) {
    Json doc = json_parse(text, ErrorKind::InvalidParameter);
    if (!doc.is_object())
        throw Error(ErrorKind::InvalidParameter, std::string(what) +
                                                     " options must be a JSON object, got " +
                                                     json_type_name(doc.type()));
    return doc;
}

namespace {

// Appends std::to_chars(x): shortest round-trip for doubles, plain digits for integers.
template <class T>
void append_chars(std::string& out, T x) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    out.append(buf, r.ptr);
}

}  // namespace

// Shortest round-trip text of a double; from 2^53 on (where every double is an integer) always
// with an exponent: plain digits, when shorter, read back as an integer in parsers that keep
// integers apart (Python's json gives an int, which numpy cannot hold beside floats).
void append_shortest(std::string& out, double x) {
    if (!(std::fabs(x) >= 9007199254740992.0)) {
        append_chars(out, x);
        return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    out.append(buf, r.ptr);
}

// Writes a comma unless this is the first value in its container (or follows a key).
void JsonWriter::separate() {
    if (!first_) out_ += ',';
    first_ = false;
}

// Shortest round trip for finite numbers, PostgreSQL's spelling for the others.
std::string number_text(double x) {
    std::string s;
    if (std::isfinite(x))
        append_shortest(s, x);
    else
        s = std::isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");
    return s;
}

// Opens an object.
void JsonWriter::begin_object() {
    separate();
    out_ += '{';
    first_ = true;
}

// Closes an object.
void JsonWriter::end_object() {
    out_ += '}';
    first_ = false;
}

// Opens an array.
void JsonWriter::begin_array() {
    separate();
    out_ += '[';
    first_ = true;
}

// Closes an array.
void JsonWriter::end_array() {
    out_ += ']';
    first_ = false;
}

// Writes "name": so that the next value belongs to it.
void JsonWriter::key(std::string_view name) {
    string(name);
    out_ += ':';
    first_ = true;
}

// Writes null.
void JsonWriter::null() {
    separate();
    out_ += "null";
}

// Writes true or false.
void JsonWriter::boolean(bool b) {
    separate();
    out_ += b ? "true" : "false";
}

// Writes a quoted string, escaping quotes, backslashes and control characters.
void JsonWriter::string(std::string_view s) {
    separate();
    static const char hex[] = "0123456789abcdef";
    out_ += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out_ += "\\\"";
                break;
            case '\\':
                out_ += "\\\\";
                break;
            case '\b':
                out_ += "\\b";
                break;
            case '\f':
                out_ += "\\f";
                break;
            case '\n':
                out_ += "\\n";
                break;
            case '\r':
                out_ += "\\r";
                break;
            case '\t':
                out_ += "\\t";
                break;
            default:
                if (u < 0x20) {
                    out_ += "\\u00";
                    out_ += hex[u >> 4];
                    out_ += hex[u & 15];
                } else {
                    out_ += c;
                }
        }
    }
    out_ += '"';
}

// Writes the shortest text that reads back as exactly x (std::to_chars).
void JsonWriter::number(double x) {
    if (!std::isfinite(x))
        throw Error(ErrorKind::Internal, "cannot write a non-finite number as JSON");
    separate();
    append_shortest(out_, x);
}

// Writes a signed integer.
void JsonWriter::integer(int64_t x) {
    separate();
    append_chars(out_, x);
}

// Writes an unsigned integer.
void JsonWriter::unsigned_integer(uint64_t x) {
    separate();
    append_chars(out_, x);
}

// Writes [x0,x1,...].
void JsonWriter::number_array(const double* x, size_t n) {
    begin_array();
    for (size_t i = 0; i < n; ++i) number(x[i]);
    end_array();
}

// Writes [x0,x1,...] of integers.
void JsonWriter::integer_array(const int64_t* x, size_t n) {
    begin_array();
    for (size_t i = 0; i < n; ++i) integer(x[i]);
    end_array();
}

// Writes ["a","b",...].
void JsonWriter::string_array(const std::vector<std::string>& s) {
    begin_array();
    for (const auto& x : s) string(x);
    end_array();
}

// Writes a parsed value back, recursively.
void JsonWriter::value(const Json& v) {
    switch (v.type()) {
        case Json::Type::Null:
            null();
            return;
        case Json::Type::Bool:
            boolean(v.bool_value());
            return;
        case Json::Type::String:
            string(v.text());
            return;
        case Json::Type::Number:
            if (const auto i = v.int64_value()) {
                integer(*i);
            } else if (const auto u = v.uint64_value()) {
                unsigned_integer(*u);
            } else {
                number(v.number_value());
            }
            return;
        case Json::Type::Array:
            begin_array();
            for (const Json& item : v.items()) value(item);
            end_array();
            return;
        case Json::Type::Object:
            begin_object();
            for (size_t i = 0; i < v.keys().size(); ++i) {
                key(v.keys()[i]);
                value(v.items()[i]);
            }
            end_object();
            return;
    }
}

}  // namespace cseg
