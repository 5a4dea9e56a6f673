// Tests of the strict JSON parser and the compact writer (src/core/json.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "json.hpp"
#include "model_test_util.hpp"

namespace cseg {
namespace {

using test::expect_error;

// Parses with InvalidText.
Json parse(const std::string& s) { return json_parse(s, ErrorKind::InvalidText); }

// The JSON text the writer produces for one double.
std::string write_number(double x) {
    JsonWriter w;
    w.number(x);
    return w.take();
}

// Bit pattern of a double, to compare -0.0 and exact values.
uint64_t bits(double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

TEST(JsonParse, ScalarsAndContainers) {
    const Json v = parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"x\"}} \n");
    ASSERT_TRUE(v.is_object());
    ASSERT_EQ(v.keys().size(), 2u);
    EXPECT_EQ(v.keys()[0], "a");
    EXPECT_EQ(v.keys()[1], "b");
    const Json* a = v.find("a");
    ASSERT_NE(a, nullptr);
    ASSERT_TRUE(a->is_array());
    ASSERT_EQ(a->items().size(), 5u);
    EXPECT_EQ(a->items()[0].number_value(), 1.0);
    EXPECT_EQ(a->items()[1].number_value(), -25.0);
    EXPECT_EQ(a->items()[1].text(), "-2.5e1");
    EXPECT_TRUE(a->items()[2].is_bool() && a->items()[2].bool_value());
    EXPECT_TRUE(a->items()[3].is_bool() && !a->items()[3].bool_value());
    EXPECT_TRUE(a->items()[4].is_null());
    ASSERT_NE(v.find("b"), nullptr);
    ASSERT_NE(v.find("b")->find("c"), nullptr);
    EXPECT_EQ(v.find("b")->find("c")->text(), "x");
    EXPECT_EQ(v.find("zzz"), nullptr);
    EXPECT_TRUE(parse("[]").is_array());
    EXPECT_TRUE(parse("{}").is_object());
    EXPECT_TRUE(parse("\"\"").is_string());
}

TEST(JsonParse, StringEscapes) {
    EXPECT_EQ(parse(R"("a\"b\\c\/d\b\f\n\r\t")").text(), "a\"b\\c/d\b\f\n\r\t");
    EXPECT_EQ(parse(R"("\u00e9")").text(), "\xc3\xa9");
    EXPECT_EQ(parse(R"("\u20AC")").text(), "\xe2\x82\xac");
    EXPECT_EQ(parse(R"("\ud83d\ude00")").text(), "\xf0\x9f\x98\x80");
    EXPECT_EQ(parse("\"caf\xc3\xa9\"").text(), "caf\xc3\xa9");  // raw UTF-8 passes through
}

// The non-ASCII \u escapes, where they are and what they name: a surrogate pair counts once
// (12 bytes); an escaped backslash before "u", ASCII escapes and raw UTF-8 bytes are not escapes.
TEST(JsonParse, NonAsciiEscapesFound) {
    const std::string text =
        "{\"a\": \"x\\u00e9\\\\u00e9\\u0041\xc3\xa9\", \"b\": [\"\\ud83d\\ude00\\u20AC\"]}";
    const std::vector<JsonNonAsciiEscape> e = json_non_ascii_escapes(text, ErrorKind::InvalidText);
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(text.substr(e[0].at, e[0].length), "\\u00e9");
    EXPECT_EQ(e[0].code_point, 0xE9u);
    EXPECT_EQ(text.substr(e[1].at, e[1].length), "\\ud83d\\ude00");
    EXPECT_EQ(e[1].code_point, 0x1F600u);
    EXPECT_EQ(text.substr(e[2].at, e[2].length), "\\u20AC");
    EXPECT_EQ(e[2].code_point, 0x20ACu);
    EXPECT_TRUE(json_non_ascii_escapes("[\"plain\"]", ErrorKind::InvalidText).empty());
    EXPECT_THROW(json_non_ascii_escapes("[\"\\u00e9\"", ErrorKind::InvalidText), Error);
}

TEST(JsonParse, ExactIntegers) {
    EXPECT_EQ(parse("9223372036854775807").int64_value(), std::numeric_limits<int64_t>::max());
    EXPECT_EQ(parse("-9223372036854775808").int64_value(), std::numeric_limits<int64_t>::min());
    EXPECT_FALSE(parse("9223372036854775808").int64_value().has_value());
    EXPECT_FALSE(parse("-9223372036854775809").int64_value().has_value());
    EXPECT_EQ(parse("9223372036854775808").uint64_value(), 9223372036854775808ULL);
    EXPECT_EQ(parse("18446744073709551615").uint64_value(), 18446744073709551615ULL);
    EXPECT_FALSE(parse("18446744073709551616").uint64_value().has_value());
    EXPECT_FALSE(parse("-1").uint64_value().has_value());
    EXPECT_EQ(parse("-0").uint64_value(), 0u);
    EXPECT_EQ(parse("-0").int64_value(), 0);
    EXPECT_EQ(parse("4.2e1").int64_value(), 42);
    EXPECT_EQ(parse("420e-1").int64_value(), 42);
    EXPECT_EQ(parse("10.000").int64_value(), 10);
    EXPECT_EQ(parse("1E3").int64_value(), 1000);
    EXPECT_EQ(parse("1e19").uint64_value(), 10000000000000000000ULL);
    EXPECT_EQ(parse("0e300").int64_value(), 0);
    EXPECT_EQ(parse("0.0e-5").int64_value(), 0);
    EXPECT_FALSE(parse("1e20").uint64_value().has_value());
    EXPECT_FALSE(parse("1.5").int64_value().has_value());
    EXPECT_FALSE(parse("1e-1").int64_value().has_value());
    EXPECT_FALSE(parse("1e300").int64_value().has_value());
    EXPECT_FALSE(parse("\"1\"").int64_value().has_value());
    EXPECT_FALSE(parse("true").int64_value().has_value());
}

TEST(JsonParse, Doubles) {
    EXPECT_EQ(bits(parse("-0").number_value()), bits(-0.0));
    EXPECT_EQ(parse("5e-324").number_value(), std::numeric_limits<double>::denorm_min());
    EXPECT_EQ(parse("1.7976931348623157e308").number_value(), std::numeric_limits<double>::max());
    EXPECT_EQ(parse("0.1").number_value(), 0.1);
}

TEST(JsonParse, RejectsMalformedText) {
    const char* bad[] = {
        "",      "   ",  "{} x",  "[1,]",     "{\"a\":1,}", "[1 2]",     "01",
        "-01",   "1.",   ".5",    "+1",       "1e",         "1e+",       "-",
        "tru",   "nul",  "NaN",   "Infinity", "-Infinity",  "{\"a\"}",   "{\"a\" 1}",
        "{a:1}", "[",    "{",     "\"abc",    "\"\\x\"",    "\"\\u12\"", "\"\\u12g4\"",
        "'a'",   "[1]]", "\"a\\", "{\"a\":}"};
    for (const char* s : bad) {
        SCOPED_TRACE(s);
        expect_error([&] { parse(s); }, ErrorKind::InvalidText, "invalid JSON at byte ");
    }
}

TEST(JsonParse, ErrorNamesOffsetAndUsesCallersKind) {
    expect_error([] { json_parse("[1, 2 x]", ErrorKind::InvalidParameter); },
                 ErrorKind::InvalidParameter, "at byte 6: expected ',' or ']'");
    expect_error([] { parse("{} x"); }, ErrorKind::InvalidText,
                 "byte 3: unexpected text after the JSON value");
}

TEST(JsonParse, RejectsControlCharactersAndBadSurrogates) {
    expect_error([] { parse("\"a\nb\""); }, ErrorKind::InvalidText, "must be escaped");
    expect_error([] { parse(R"("\ud83d")"); }, ErrorKind::InvalidText, "lone high surrogate");
    expect_error([] { parse(R"("\ud83d\u0041")"); }, ErrorKind::InvalidText, "lone high surrogate");
    expect_error([] { parse(R"("\ude00")"); }, ErrorKind::InvalidText, "lone low surrogate");
    expect_error([] { parse(R"("a\u0000b")"); }, ErrorKind::InvalidText, "\\u0000");
}

TEST(JsonParse, RejectsOutOfRangeNumbers) {
    for (const char* s : {"1e400", "-1e400", "1e-400", "1.8e308", "1e99999999999999999999"}) {
        SCOPED_TRACE(s);
        expect_error([&] { parse(s); }, ErrorKind::InvalidText, "out of range");
    }
}

TEST(JsonParse, RejectsDuplicateKeys) {
    expect_error([] { parse(R"({"a":1,"b":2,"a":3})"); }, ErrorKind::InvalidText,
                 "duplicate object key \"a\"");
    expect_error([] { parse(R"([{"x":{"k":1,"k":1}}])"); }, ErrorKind::InvalidText,
                 "duplicate object key \"k\"");
    EXPECT_NO_THROW(parse(R"({"a":{"a":1},"b":{"a":2}})"));
}

TEST(JsonParse, NestingLimit) {
    const std::string ok = std::string(kJsonMaxDepth, '[') + std::string(kJsonMaxDepth, ']');
    EXPECT_NO_THROW(parse(ok));
    const std::string deep =
        std::string(kJsonMaxDepth + 1, '[') + std::string(kJsonMaxDepth + 1, ']');
    expect_error([&] { parse(deep); }, ErrorKind::InvalidText, "JSON nesting too deep");
    std::string objects;
    for (int i = 0; i <= kJsonMaxDepth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(kJsonMaxDepth + 1, '}');
    expect_error([&] { parse(objects); }, ErrorKind::InvalidText, "JSON nesting too deep");
    // Far beyond the limit: must fail cleanly, not overflow the stack.
    expect_error([] { parse(std::string(1000000, '[')); }, ErrorKind::InvalidText,
                 "JSON nesting too deep");
}

TEST(JsonWrite, ShortestRoundTripDoubles) {
    EXPECT_EQ(write_number(0.1), "0.1");
    EXPECT_EQ(write_number(1e-300), "1e-300");
    EXPECT_EQ(write_number(5e-324), "5e-324");
    EXPECT_EQ(write_number(1.7976931348623157e308), "1.7976931348623157e+308");
    EXPECT_EQ(write_number(-0.0), "-0");
    EXPECT_EQ(write_number(3.0), "3");
    EXPECT_EQ(write_number(-2.5), "-2.5");
    // From 2^53 on with an exponent, so no parser reads an integer (was "-130779342396186132480").
    EXPECT_EQ(write_number(-1.3077934239618613e20), "-1.3077934239618613e+20");
    EXPECT_EQ(write_number(9007199254740991.0), "9007199254740991");
    EXPECT_EQ(write_number(9007199254740992.0), "9.007199254740992e+15");
    EXPECT_EQ(write_number(1e17), "1e+17");
}

TEST(JsonWrite, RandomDoublesRoundTripBitExactly) {
    std::mt19937_64 gen(12345);
    int tested = 0;
    while (tested < 20000) {
        const uint64_t b = gen();
        double x;
        std::memcpy(&x, &b, sizeof x);
        if (!std::isfinite(x)) continue;
        ++tested;
        const std::string s = write_number(x);
        ASSERT_EQ(bits(parse(s).number_value()), b) << s;
    }
}

TEST(JsonWrite, RejectsNonFinite) {
    for (double x : {std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
        expect_error([&] { write_number(x); }, ErrorKind::Internal, "non-finite");
    }
}

TEST(JsonWrite, CompactNestingAndEscapes) {
    JsonWriter w;
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.integer(-3);
    w.unsigned_integer(18446744073709551615ULL);
    w.null();
    w.boolean(true);
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.end_array();
    w.key("s\"");
    w.string("q\"b\\n\n\x01\x1f\x7f\xc3\xa9");
    w.key("e");
    w.number_array(nullptr, 0);
    w.end_object();
    EXPECT_EQ(w.str(),
              "{\"a\":[-3,18446744073709551615,null,true,{},[]],\"s\\\"\":"
              "\"q\\\"b\\\\n\\n\\u0001\\u001f\x7f\xc3\xa9\",\"e\":[]}");
    // What the writer escapes, the parser restores.
    const Json back = parse(w.str());
    ASSERT_NE(back.find("s\""), nullptr);
    EXPECT_EQ(back.find("s\"")->text(), "q\"b\\n\n\x01\x1f\x7f\xc3\xa9");
}

TEST(JsonParse, MutatedInputsNeverCrash) {
    const std::string base =
        R"({"a":[1,2.5e-3,-0,"x\u00e9\ud83d\ude00"],"b":{"c":null,"d":true},"e":"\n"})";
    std::mt19937_64 gen(7);
    const std::string alphabet = "{}[],:\"\\u0123456789eE+-.tfnlsaxd \n";
    int parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s = base;
        const int edits = 1 + int(gen() % 4);
        for (int e = 0; e < edits; ++e) {
            const size_t pos = gen() % (s.size() + 1);
            switch (gen() % 3) {
                case 0:
                    if (pos < s.size()) s.erase(pos, 1);
                    break;
                case 1:
                    s.insert(pos, 1, alphabet[gen() % alphabet.size()]);
                    break;
                default:
                    if (pos < s.size()) s[pos] = char(gen() & 0xff);
                    break;
            }
        }
        try {
            parse(s);
            ++parsed;
        } catch (const Error& e) {
            EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::InvalidText));
        }
    }
    EXPECT_GT(parsed, 0);  // some mutations stay valid JSON
}

}  // namespace
}  // namespace cseg
