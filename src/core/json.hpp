// A small strict JSON DOM (RFC 8259) and a compact writer, for the text forms of the types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"

namespace cseg {

// Containers nested deeper than this are rejected ("JSON nesting too deep").
constexpr int32_t kJsonMaxDepth = 64;

// One parsed JSON value. Objects keep their members in input order; keys are unique.
class Json {
  public:
    enum class Type : uint8_t { Null, Bool, Number, String, Array, Object };

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    // The boolean of a Bool.
    bool bool_value() const { return bool_; }
    // The (finite) double nearest to a Number.
    double number_value() const { return number_; }
    // A Number exactly as written in the input; a String's decoded text.
    const std::string& text() const { return text_; }
    // The exact value of a Number when it is an integer in int64 range ("42", "4.2e1", "-0").
    std::optional<int64_t> int64_value() const;
    // The exact value of a Number when it is an integer in uint64 range.
    std::optional<uint64_t> uint64_value() const;

    // Elements of an Array, or member values of an Object (in input order).
    const std::vector<Json>& items() const { return items_; }
    // Member names of an Object, parallel to items().
    const std::vector<std::string>& keys() const { return keys_; }
    // The value of an Object's member, or nullptr when absent (or not an Object).
    const Json* find(std::string_view key) const;

  private:
    friend class JsonParser;
    // Sign and magnitude of an integral Number; false when fractional or beyond 2^64 - 1.
    bool integer_parts(bool& negative, uint64_t& magnitude) const;

    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0.0;
    std::string text_;
    std::vector<std::string> keys_;
    std::vector<Json> items_;
};

// "null", "a boolean", "a number", "a string", "an array", "an object" for error messages.
const char* json_type_name(Json::Type t);

// Parses one JSON text; throws Error(kind) naming the byte offset and the problem.
// Rejected beyond RFC 8259: duplicate keys, nesting beyond kJsonMaxDepth, numbers that
// overflow or underflow a double, lone surrogates and \u0000 (which PostgreSQL text cannot
// hold). Bytes >= 0x80 in strings pass through unchecked: the server has already verified
// the input is valid in the database encoding.
Json json_parse(std::string_view text, ErrorKind kind);

// One \u escape of a non-ASCII character in a JSON text: its first byte, its length (6, or 12
// for a surrogate pair) and the code point it names.
struct JsonNonAsciiEscape {
    size_t at;
    size_t length;
    uint32_t code_point;
};

// The \u escapes of non-ASCII characters in the strings of a JSON text, in order (json_parse
// decodes them to UTF-8; a database in another encoding rewrites them first). Throws what
// json_parse throws for a text that is not valid JSON.
std::vector<JsonNonAsciiEscape> json_non_ascii_escapes(std::string_view text, ErrorKind kind);

// Parses a function's options text, which must be a JSON object: throws
// Error(InvalidParameter) "<what> options must be a JSON object, got <type>" otherwise.
Json json_parse_options(std::string_view text, const char* what);

// Appends the shortest text that reads back as exactly x (std::to_chars; any double, also
// NaN and infinities, which it spells "nan", "inf").
void append_shortest(std::string& out, double x);

// The text of a number for messages: the shortest round trip, or NaN, Infinity, -Infinity.
std::string number_text(double x);

// The longest start of UTF-8 text s of at most max_bytes bytes that does not split a
// character (for shortening names and values shown in messages and charts).
std::string_view utf8_prefix(std::string_view s, size_t max_bytes);

// Appends compact JSON (no spaces) to a string; the caller keeps the nesting balanced.
class JsonWriter {
  public:
    // Opens an object or array (as a value: inside arrays, or after key()).
    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    // Writes a member name and the colon; the next call writes its value.
    void key(std::string_view name);
    void null();
    void boolean(bool b);
    void string(std::string_view s);
    // Shortest text that reads back as the same double; throws Error(Internal) if non-finite.
    void number(double x);
    void integer(int64_t x);
    void unsigned_integer(uint64_t x);
    // An array of n numbers.
    void number_array(const double* x, size_t n);
    // An array of n integers.
    void integer_array(const int64_t* x, size_t n);
    // An array of strings.
    void string_array(const std::vector<std::string>& s);
    // A parsed value written back as compact JSON (integers exactly, other numbers as the
    // shortest text of the same double).
    void value(const Json& v);

    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    // Writes the comma that separates this value from the previous one, if any.
    void separate();

    std::string out_;
    bool first_ = true;
};

}  // namespace cseg
