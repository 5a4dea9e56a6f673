// Cluster labels as the metrics see them: raw int32 values mapped to dense codes 0..L-1.
#pragma once

#include <cstdint>
#include <vector>

namespace cseg {

// Raw labels encoded as scikit-learn's LabelEncoder does: code = rank of the label value
// among the distinct values, ascending.
struct LabelCodes {
    std::vector<int32_t> classes;  // the L distinct raw labels, ascending
    std::vector<int32_t> codes;    // n codes: labels[i] == classes[codes[i]]
    std::vector<int64_t> counts;   // L: rows per code

    // Number of distinct labels L.
    int32_t n_labels() const { return static_cast<int32_t>(classes.size()); }
};

// Encodes n raw labels into dense codes with per-code counts (no range check).
LabelCodes encode_labels(const int32_t* labels, int64_t n);

// Throws Error(InvalidParameter) unless 2 <= n_labels <= n_samples - 1 (scikit-learn's
// check_number_of_labels, same wording).
void check_number_of_labels(int64_t n_labels, int64_t n_samples);

}  // namespace cseg
