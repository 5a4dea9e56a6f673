// Every text stored in a model is checked against the database encoding when the model is
// encoded for storage (model_to_varlena), so every input path -- text and binary input, the
// jsonb cast, the fit aggregates' names and categories, seg_align -- is covered at once.
#include "model_text_encoding.hpp"

#include <cstdio>
#include <string>

#include "errors.hpp"
#include "model_texts.hpp"
#include "pg.hpp"

extern "C" {
#include "mb/pg_wchar.h"
}

namespace cseg_pg {

// Checks each text with PostgreSQL's own verifier for the database encoding.
void check_model_texts(const cseg::Model& m) {
    const int encoding = GetDatabaseEncoding();
    cseg::for_each_model_text(m, [&](const char* field, size_t index, const std::string& s) {
        if (s.size() > static_cast<size_t>(PG_INT32_MAX))
            throw cseg::Error(cseg::ErrorKind::ProgramLimit, "a text in the model is too long");
        const int len = static_cast<int>(s.size());
        const int valid = pg_encoding_verifymbstr(encoding, s.data(), len);
        if (valid == len) return;
        const unsigned byte = static_cast<unsigned char>(s[valid]);
        char where[160];
        snprintf(where, sizeof where, "%s[%zu] of the model, byte %d (0x%02x)", field,
                      index + 1, valid + 1, byte);
        throw cseg::Error(
            cseg::ErrorKind::InvalidEncoding,
            byte == 0 ? std::string("a text in the model holds a NUL byte: ") + where
                      : std::string("a text in the model is not valid ") +
                            GetDatabaseEncodingName() + ": " + where,
            "Names and categories stored in a model must be valid text in the database "
            "encoding, or pg_dump could not restore the registry.");
    });
}

}  // namespace cseg_pg
