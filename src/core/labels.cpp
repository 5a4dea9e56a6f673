// Label encoding and the number-of-labels check shared by every clustering metric.
#include "labels.hpp"

#include <algorithm>
#include <string>

#include "errors.hpp"

namespace cseg {

// Sorts a copy of the labels for the distinct values, then ranks each label by binary search.
LabelCodes encode_labels(const int32_t* labels, int64_t n) {
    LabelCodes out;
    if (n <= 0) return out;
    out.classes.assign(labels, labels + n);
    std::sort(out.classes.begin(), out.classes.end());
    out.classes.erase(std::unique(out.classes.begin(), out.classes.end()), out.classes.end());
    // Distinct int32 values can outnumber int32 codes only beyond 2^31 rows; refuse that.
    if (out.classes.size() > static_cast<size_t>(INT32_MAX)) {
        throw Error(ErrorKind::ProgramLimit, "too many distinct labels");
    }
    out.codes.resize(static_cast<size_t>(n));
    out.counts.assign(out.classes.size(), 0);
    for (int64_t i = 0; i < n; ++i) {
        const auto it = std::lower_bound(out.classes.begin(), out.classes.end(), labels[i]);
        const auto code = static_cast<int32_t>(it - out.classes.begin());
        out.codes[static_cast<size_t>(i)] = code;
        ++out.counts[static_cast<size_t>(code)];
    }
    return out;
}

// scikit-learn: "if not 1 < n_labels < n_samples: raise ValueError(...)".
void check_number_of_labels(int64_t n_labels, int64_t n_samples) {
    if (n_labels > 1 && n_labels < n_samples) return;
    throw Error(ErrorKind::InvalidParameter,
                "Number of labels is " + std::to_string(n_labels) +
                    ". Valid values are 2 to n_samples - 1 (inclusive)");
}

}  // namespace cseg
