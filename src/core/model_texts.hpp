// Every text a model stores, visited in one place: whoever stores a model (the wall's
// encoder) checks each against the database encoding, and a new model field holding text is
// added here, not in each checker.
#pragma once

#include <cstddef>
#include <string>

#include "model.hpp"

namespace cseg {

// Calls f(field, index, text) for every text in m: its feature names, the options' feature
// and categorical names, and the categorical part's attribute names and categories (index
// counts within the field; categories count across attributes in order). M is Model or
// const Model: f may rewrite the texts of a non-const model.
template <class M, class F>
void for_each_model_text(M& m, F&& f) {
    size_t i = 0;
    for (auto& s : m.feature_names) f("feature_names", i++, s);
    i = 0;
    for (auto& s : m.options.feature_names) f("options.feature_names", i++, s);
    i = 0;
    for (auto& s : m.options.categorical_names) f("options.categorical_names", i++, s);
    i = 0;
    for (auto& s : m.categorical.names) f("categorical names", i++, s);
    i = 0;
    for (auto& vocabulary : m.categorical.categories)
        for (auto& s : vocabulary) f("categories", i++, s);
}

}  // namespace cseg
