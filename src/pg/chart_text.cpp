// Chart text in a database that is not UTF-8 (chart_text.hpp).
#include "chart_text.hpp"

#include <cstring>

#include "datum_codec.hpp"
#include "errors.hpp"
#include "guard.hpp"
#include "model_texts.hpp"
#include "svg.hpp"
#include "text_result.hpp"

extern "C" {
#include "mb/pg_wchar.h"
}

namespace cseg_pg {

// The database encoding needs converting (SQL_ASCII bytes have no known encoding: kept).
bool chart_text_converted() {
    const int encoding = GetDatabaseEncoding();
    return encoding != PG_UTF8 && encoding != PG_SQL_ASCII;
}

// pg_server_to_any to UTF-8 (palloc'd) when the database needs it.
const char* chart_text_utf8(const char* s, int32 len, int32* out_len) {
    *out_len = len;
    if (!chart_text_converted()) return s;
    const char* u = pg_server_to_any(s, len, PG_UTF8);
    if (u != s) *out_len = static_cast<int32>(strlen(u));
    return u;
}

// The texts copied out of the decoded model under a guard, then converted outside it.
ChartModelTexts chart_model_texts(const struct varlena* model) {
    ChartModelTexts t;
    if (!chart_text_converted()) return t;
    t.n = guarded([&] {
        const cseg::Model m = model_from_varlena(model, cseg::ErrorKind::Internal);
        size_t n = 0;
        cseg::for_each_model_text(m, [&](const char*, size_t, const std::string&) { ++n; });
        if (n > size_t(PG_INT32_MAX) / sizeof(char*))
            throw cseg::Error(cseg::ErrorKind::ProgramLimit, "the model has too many texts");
        t.data = static_cast<const char**>(alloc_nothrow(sizeof(char*) * (n + 1)));
        t.len = static_cast<int32*>(alloc_nothrow(sizeof(int32) * (n + 1)));
        size_t i = 0;
        cseg::for_each_model_text(m, [&](const char*, size_t, const std::string& s) {
            if (s.size() > size_t(PG_INT32_MAX))
                throw cseg::Error(cseg::ErrorKind::ProgramLimit, "a text in the model is too long");
            char* c = static_cast<char*>(alloc_nothrow(s.size() + 1));
            std::memcpy(c, s.data(), s.size());
            c[s.size()] = '\0';
            t.data[i] = c;
            t.len[i++] = static_cast<int32>(s.size());
        });
        return static_cast<int32>(n);
    });
    for (int32 i = 0; i < t.n; ++i) t.data[i] = chart_text_utf8(t.data[i], t.len[i], &t.len[i]);
    return t;
}

// Overwrites the model's texts, in the order they were read.
void use_chart_model_texts(cseg::Model& m, const ChartModelTexts& t) {
    if (t.data == nullptr) return;
    int32 i = 0;
    cseg::for_each_model_text(m, [&](const char*, size_t, std::string& s) {
        if (i >= t.n)
            throw cseg::Error(cseg::ErrorKind::Internal, "the model's texts changed while drawing");
        s.assign(t.data[i], size_t(t.len[i]));
        ++i;
    });
}

// ASCII with character references in a converted database, else the markup as it is.
text* chart_text_result(const std::string& markup) {
    if (chart_text_converted()) return text_nothrow(cseg::ascii_character_references(markup));
    return text_nothrow(markup);
}

}  // namespace cseg_pg
