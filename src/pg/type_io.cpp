// Input/output functions of the segmodel and segscaler types: JSON text, binary send/recv.
// One template serves both types; each is described by a small traits struct.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "datum_codec.hpp"
#include "guard.hpp"
#include "json.hpp"
#include "model_json.hpp"

extern "C" {
#include "mb/pg_wchar.h"
}

namespace {

// segmodel: JSON via model_to_json / model_from_json, binary via the model codec.
struct ModelTraits {
    using Value = cseg::Model;
    static Value from_json(std::string_view s) { return cseg::model_from_json(s); }
    static std::string to_json(const Value& v) { return cseg::model_to_json(v); }
    static struct varlena* to_varlena(const Value& v) { return cseg_pg::model_to_varlena(v); }
    static Value from_varlena(const struct varlena* v, cseg::ErrorKind kind) {
        return cseg_pg::model_from_varlena(v, kind);
    }
};

// segscaler: the same with the scaler's JSON and codec.
struct ScalerTraits {
    using Value = cseg::Scaler;
    static Value from_json(std::string_view s) { return cseg::scaler_from_json(s); }
    static std::string to_json(const Value& v) { return cseg::scaler_to_json(v); }
    static struct varlena* to_varlena(const Value& v) { return cseg_pg::scaler_to_varlena(v); }
    static Value from_varlena(const struct varlena* v, cseg::ErrorKind kind) {
        return cseg_pg::scaler_from_varlena(v, kind);
    }
};

// The JSON text with each \u escape of a non-ASCII character replaced by that character in
// the database encoding, as jsonb reads such escapes (pg_unicode_to_server: 22P05 for one the
// encoding lacks); the text as it is in a UTF8 or SQL_ASCII database or without such escapes.
// The parser decodes escapes to UTF-8, which a LATIN1 database would store as mojibake.
const char* escapes_in_database_encoding(const char* text, size_t* len) {
    const int encoding = GetDatabaseEncoding();
    if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII || strstr(text, "\\u") == nullptr)
        return text;
    const size_t text_len = *len;
    size_t n = 0;
    auto* found = cseg_pg::guarded([&] {
        const std::vector<cseg::JsonNonAsciiEscape> e = cseg::json_non_ascii_escapes(
            std::string_view(text, text_len), cseg::ErrorKind::InvalidText);
        auto* out = static_cast<cseg::JsonNonAsciiEscape*>(
            cseg_pg::alloc_nothrow(sizeof(cseg::JsonNonAsciiEscape) * (e.size() + 1)));
        std::copy(e.begin(), e.end(), out);
        n = e.size();
        return out;
    });
    if (n == 0) return text;
    StringInfoData out;
    initStringInfo(&out);
    size_t from = 0;
    for (size_t i = 0; i < n; ++i) {
        appendBinaryStringInfo(&out, text + from, static_cast<int>(found[i].at - from));
        unsigned char c[MAX_UNICODE_EQUIVALENT_STRING + 1];
        pg_unicode_to_server(found[i].code_point, c);
        appendStringInfoString(&out, reinterpret_cast<const char*>(c));
        from = found[i].at + found[i].length;
    }
    appendBinaryStringInfo(&out, text + from, static_cast<int>(text_len - from));
    pfree(found);
    *len = static_cast<size_t>(out.len);
    return out.data;
}

// Text input: parse and validate JSON, store the binary encoding.
template <class T>
Datum type_in(FunctionCallInfo fcinfo) {
    size_t len = strlen(PG_GETARG_CSTRING(0));
    const char* text = escapes_in_database_encoding(PG_GETARG_CSTRING(0), &len);
    struct varlena* out = cseg_pg::guarded(
        [&] { return T::to_varlena(T::from_json(std::string_view(text, len))); });
    PG_RETURN_POINTER(out);
}

// Text output: decode and print JSON (shortest round-trip floats).
template <class T>
Datum type_out(FunctionCallInfo fcinfo) {
    struct varlena* v = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    char* out = cseg_pg::guarded([&] {
        const std::string json = T::to_json(T::from_varlena(v, cseg::ErrorKind::InvalidBinary));
        char* s = static_cast<char*>(cseg_pg::alloc_nothrow(json.size() + 1));
        std::memcpy(s, json.c_str(), json.size() + 1);
        return s;
    });
    PG_RETURN_CSTRING(out);
}

// Binary input: the encoding, validated exactly as strictly as text input.
template <class T>
Datum type_recv(FunctionCallInfo fcinfo) {
    StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    const int len = buf->len - buf->cursor;
    struct varlena* v = static_cast<struct varlena*>(palloc(VARHDRSZ + len));
    SET_VARSIZE(v, VARHDRSZ + len);
    memcpy(VARDATA(v), pq_getmsgbytes(buf, len), len);
    /* Decode-and-re-encode both validates and canonicalises what gets stored. */
    struct varlena* out = cseg_pg::guarded(
        [&] { return T::to_varlena(T::from_varlena(v, cseg::ErrorKind::InvalidBinary)); });
    pfree(v);
    PG_RETURN_POINTER(out);
}

// Binary output: the stored encoding as it is.
template <class T>
Datum type_send(FunctionCallInfo fcinfo) {
    struct varlena* v = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
    StringInfoData buf;
    pq_begintypsend(&buf);
    pq_sendbytes(&buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
    PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(segmodel_in);
PG_FUNCTION_INFO_V1(segmodel_out);
PG_FUNCTION_INFO_V1(segmodel_recv);
PG_FUNCTION_INFO_V1(segmodel_send);
PG_FUNCTION_INFO_V1(segscaler_in);
PG_FUNCTION_INFO_V1(segscaler_out);
PG_FUNCTION_INFO_V1(segscaler_recv);
PG_FUNCTION_INFO_V1(segscaler_send);

// segmodel text input.
Datum segmodel_in(PG_FUNCTION_ARGS) { return type_in<ModelTraits>(fcinfo); }
// segmodel text output.
Datum segmodel_out(PG_FUNCTION_ARGS) { return type_out<ModelTraits>(fcinfo); }
// segmodel binary input.
Datum segmodel_recv(PG_FUNCTION_ARGS) { return type_recv<ModelTraits>(fcinfo); }
// segmodel binary output.
Datum segmodel_send(PG_FUNCTION_ARGS) { return type_send<ModelTraits>(fcinfo); }
// segscaler text input.
Datum segscaler_in(PG_FUNCTION_ARGS) { return type_in<ScalerTraits>(fcinfo); }
// segscaler text output.
Datum segscaler_out(PG_FUNCTION_ARGS) { return type_out<ScalerTraits>(fcinfo); }
// segscaler binary input.
Datum segscaler_recv(PG_FUNCTION_ARGS) { return type_recv<ScalerTraits>(fcinfo); }
// segscaler binary output.
Datum segscaler_send(PG_FUNCTION_ARGS) { return type_send<ScalerTraits>(fcinfo); }

}  // extern "C"
