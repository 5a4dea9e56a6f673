// Shared by the JSON and codec tests: a hand-built valid model and an error-expectation helper.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

#include "errors.hpp"
#include "model.hpp"

namespace cseg::test {

// Runs fn, expects a cseg::Error of `kind` whose message contains `needle`; returns the error
// message (empty when the expectation failed) so callers can check more.
template <class Fn>
std::string expect_error(Fn&& fn, ErrorKind kind, const std::string& needle) {
    try {
        std::forward<Fn>(fn)();
    } catch (const Error& e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message: " << e.what() << "\nexpected to contain: " << needle;
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception type: " << e.what();
        return {};
    }
    ADD_FAILURE() << "no error thrown; expected one containing: " << needle;
    return {};
}

// A valid model, k = 3, dims = 2, n_rows = 10, with names; impute when `impute`.
inline Model sample_model(bool impute = false) {
    Model m;
    m.k = 3;
    m.dims = 2;
    m.feature_names = {"age", "income \"k$\""};
    m.scaler.method = ScaleMethod::Standard;
    m.scaler.center = {38.5, 60.25};
    m.scaler.scale = {13.9, 26.2};
    m.centroids = {0.1, -1.25, -0.0, 5e-324, 1.7976931348623157e308, -3.5};
    m.sizes = {5, 3, 2};
    m.inertia = 12.345678901234567;
    m.n_iter = 7;
    m.n_rows = 10;
    m.n_skipped = 2;
    m.options.n_init = 4;
    m.options.max_iter = 50;
    m.options.tol = 1e-300;
    m.options.seed = 9223372036854775807ULL;
    m.options.has_feature_names = true;
    m.options.feature_names = m.feature_names;
    if (impute) {
        m.options.missing = MissingPolicy::Impute;
        m.impute = {40.0, 61.5};
    }
    m.feature_mean = {38.5, 60.25};
    m.feature_std = {13.9, 26.2};
    m.mean_distance = {0.5, 0.75, 1e-300};
    return m;
}

}  // namespace cseg::test
