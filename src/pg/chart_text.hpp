// Chart and report text in any database encoding. The core draws UTF-8; in a database whose
// encoding is neither UTF8 nor SQL_ASCII every user text (the model's names and categories,
// table and column names) is converted to UTF-8 before it is drawn, and the markup is returned
// as pure ASCII with character references (&#233;), which reads the same in any encoding.
#pragma once

#include <string>

#include "model.hpp"
#include "pg.hpp"

namespace cseg_pg {

// True when chart text is converted: the database encoding is neither UTF8 nor SQL_ASCII.
bool chart_text_converted();

// The len bytes at s (database encoding) as UTF-8, NUL-terminated, with *out_len set; s itself
// when nothing is converted. May raise 22P05: call outside guarded().
const char* chart_text_utf8(const char* s, int32 len, int32* out_len);

// A model's texts in for_each_model_text's order, as UTF-8 (n = 0, data NULL when nothing is
// converted).
struct ChartModelTexts {
    int32 n = 0;
    const char** data = nullptr;
    int32* len = nullptr;
};

// Decodes the stored model (under a guard) and converts its texts; call outside guarded().
ChartModelTexts chart_model_texts(const struct varlena* model);

// Gives m (decoded from the same datum) the converted texts of t; inside guarded().
void use_chart_model_texts(cseg::Model& m, const ChartModelTexts& t);

// The markup as a text datum: as it is, or with every non-ASCII character written as a
// character reference when chart_text_converted(); inside guarded().
text* chart_text_result(const std::string& markup);

}  // namespace cseg_pg
