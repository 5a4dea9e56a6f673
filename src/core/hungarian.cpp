// The Hungarian algorithm (Kuhn 1955; Munkres 1957) in its O(n^2 m) shortest-augmenting-path
// form with row and column potentials (as in Jonker & Volgenant 1987 and the classic
// e-maxx formulation), for rectangular matrices with n <= m.
#include "hungarian.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "errors.hpp"

namespace cseg {

namespace {

// Solves n <= m: a[i * m + j] is the cost of row i in column j. Returns column per row.
std::vector<int32_t> solve_wide(const std::vector<double>& a, int32_t n, int32_t m,
                                const Interrupt& interrupt) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    // 1-based as in the textbook formulation; column 0 is the virtual start column.
    std::vector<double> u(size_t(n) + 1, 0.0), v(size_t(m) + 1, 0.0);
    std::vector<int32_t> p(size_t(m) + 1, 0), way(size_t(m) + 1, 0);
    std::vector<double> minv(size_t(m) + 1);
    std::vector<char> used(size_t(m) + 1);
    for (int32_t i = 1; i <= n; ++i) {
        interrupt.poll();
        p[0] = i;
        int32_t j0 = 0;
        std::fill(minv.begin(), minv.end(), inf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[size_t(j0)] = 1;
            const int32_t i0 = p[size_t(j0)];
            double delta = inf;
            int32_t j1 = 0;
            for (int32_t j = 1; j <= m; ++j) {
                if (used[size_t(j)]) continue;
                const double cur =
                    a[size_t(i0 - 1) * size_t(m) + size_t(j - 1)] - u[size_t(i0)] - v[size_t(j)];
                if (cur < minv[size_t(j)]) {
                    minv[size_t(j)] = cur;
                    way[size_t(j)] = j0;
                }
                if (minv[size_t(j)] < delta) {
                    delta = minv[size_t(j)];
                    j1 = j;
                }
            }
            for (int32_t j = 0; j <= m; ++j) {
                if (used[size_t(j)]) {
                    u[size_t(p[size_t(j)])] += delta;
                    v[size_t(j)] -= delta;
                } else {
                    minv[size_t(j)] -= delta;
                }
            }
            j0 = j1;
        } while (p[size_t(j0)] != 0);
        do {  // flip the augmenting path back to the start column
            const int32_t j1 = way[size_t(j0)];
            p[size_t(j0)] = p[size_t(j1)];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<int32_t> col_of_row(size_t(n), -1);
    for (int32_t j = 1; j <= m; ++j)
        if (p[size_t(j)] != 0) col_of_row[size_t(p[size_t(j)] - 1)] = j - 1;
    return col_of_row;
}

}  // namespace

// Validates, transposes tall problems, solves, and maps the answer back to rows.
std::vector<int32_t> hungarian_assign(const double* cost, int32_t rows, int32_t cols,
                                      const Interrupt& interrupt) {
    if (rows < 0 || cols < 0)
        throw Error(ErrorKind::InvalidParameter, "assignment sizes must not be negative");
    if (rows == 0 || cols == 0) return std::vector<int32_t>(size_t(rows), -1);
    const size_t cells = size_t(rows) * size_t(cols);
    for (size_t i = 0; i < cells; ++i)
        if (!std::isfinite(cost[i]))
            throw Error(ErrorKind::InvalidParameter,
                        "assignment cost [" + std::to_string(i / size_t(cols)) + "][" +
                            std::to_string(i % size_t(cols)) + "] is not finite");
    if (rows <= cols)
        return solve_wide(std::vector<double>(cost, cost + cells), rows, cols, interrupt);
    std::vector<double> t(cells);  // cols x rows
    for (int32_t r = 0; r < rows; ++r)
        for (int32_t c = 0; c < cols; ++c)
            t[size_t(c) * size_t(rows) + size_t(r)] = cost[size_t(r) * size_t(cols) + size_t(c)];
    const std::vector<int32_t> row_of_col = solve_wide(t, cols, rows, interrupt);
    std::vector<int32_t> col_of_row(size_t(rows), -1);
    for (int32_t c = 0; c < cols; ++c) col_of_row[size_t(row_of_col[size_t(c)])] = c;
    return col_of_row;
}

}  // namespace cseg
