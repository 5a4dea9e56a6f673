// Scalers against scikit-learn 1.2.1 on the mall customers (age, income, score).
// Figures from: /usr/bin/python3 test/reference/scaler_reference.py
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "csv_reader.hpp"
#include "missing.hpp"
#include "scaler.hpp"

namespace {

// The mall customers' numeric columns.
cseg::RowMatrix mall() {
    const auto t = cseg::test::read_csv(std::string(CSEG_DATA_DIR) + "/Mall_Customers.csv", ',');
    return cseg::test::numeric_columns(t, {2, 3, 4});
}

struct Expected {
    cseg::ScaleMethod method;
    double center[3], scale[3], row0[3];
};

const Expected kSklearn[] = {
    {cseg::ScaleMethod::Standard,
     {38.85, 60.56, 50.2},
     {13.934041050606966, 26.19897707926782, 25.75888196331509},
     {-1.4245687900521389, -1.7389991930659479, -0.43480147996914836}},
    {cseg::ScaleMethod::MinMax,
     {18.0, 15.0, 1.0},
     {52.0, 122.0, 98.0},
     {0.019230769230769273, 0.0, 0.38775510204081626}},
    {cseg::ScaleMethod::Robust,
     {36.0, 61.5, 50.0},
     {20.25, 36.5, 38.25},
     {-0.8395061728395061, -1.273972602739726, -0.2875816993464052}},
};

// |a - b| within 1e-12 relative (absolute near zero).
void expect_close(double a, double b) {
    EXPECT_LE(std::fabs(a - b), 1e-12 * std::max(1.0, std::fabs(b))) << a << " vs " << b;
}

}  // namespace

TEST(Scaler, MatchesScikitLearnOnMall) {
    const cseg::RowMatrix X = mall();
    ASSERT_EQ(X.rows(), 200);
    for (const Expected& e : kSklearn) {
        SCOPED_TRACE(cseg::scale_method_name(e.method));
        const cseg::Scaler s = cseg::fit_scaler(cseg::ConstRowMap(X.data(), X.rows(), 3), e.method);
        double row0[3];
        s.transform(X.data(), row0);
        for (int j = 0; j < 3; ++j) {
            expect_close(s.center[j], e.center[j]);
            expect_close(s.scale[j], e.scale[j]);
            expect_close(row0[j], e.row0[j]);
        }
    }
}

TEST(Scaler, ConstantFeatureGetsScaleOne) {
    cseg::RowMatrix X(4, 2);
    X << 1, 7, 2, 7, 3, 7, 4, 7;
    for (auto m : {cseg::ScaleMethod::Standard, cseg::ScaleMethod::MinMax,
                   cseg::ScaleMethod::Robust}) {
        const cseg::Scaler s = cseg::fit_scaler(cseg::ConstRowMap(X.data(), 4, 2), m);
        EXPECT_EQ(s.scale[1], 1.0) << cseg::scale_method_name(m);
        EXPECT_NE(s.scale[0], 1.0) << cseg::scale_method_name(m);
    }
    // A constant like 0.1 has a tiny non-zero computed variance; still scale 1 as sklearn.
    cseg::RowMatrix Y = cseg::RowMatrix::Constant(1000, 1, 0.1);
    EXPECT_EQ(cseg::fit_scaler(cseg::ConstRowMap(Y.data(), 1000, 1),
                               cseg::ScaleMethod::Standard).scale[0], 1.0);
}

TEST(Scaler, InverseUndoesTransform) {
    const cseg::RowMatrix X = mall();
    const cseg::Scaler s = cseg::fit_scaler(cseg::ConstRowMap(X.data(), X.rows(), 3),
                                            cseg::ScaleMethod::Robust);
    double scaled[3], back[3];
    s.transform(X.row(17).data(), scaled);
    s.inverse(scaled, back);
    for (int j = 0; j < 3; ++j) expect_close(back[j], X(17, j));
}

TEST(Scaler, NoneIsIdentity) {
    const cseg::RowMatrix X = mall();
    const cseg::Scaler s = cseg::fit_scaler(cseg::ConstRowMap(X.data(), X.rows(), 3),
                                            cseg::ScaleMethod::None);
    double out[3];
    s.transform(X.data(), out);
    for (int j = 0; j < 3; ++j) EXPECT_EQ(out[j], X(0, j));
}

TEST(Scaler, ParseMethodNamesAndRejectsOthers) {
    EXPECT_EQ(cseg::parse_scale_method("minmax"), cseg::ScaleMethod::MinMax);
    try {
        cseg::parse_scale_method("zscore");
        FAIL() << "no exception";
    } catch (const cseg::Error& e) {
        EXPECT_EQ(e.kind(), cseg::ErrorKind::InvalidParameter);
        EXPECT_NE(std::string(e.detail()).find("robust"), std::string::npos);
    }
}

TEST(Scaler, ValidateRejectsBadScales) {
    cseg::Scaler s{cseg::ScaleMethod::Standard, {0.0, 1.0}, {1.0, 0.0}};
    EXPECT_THROW(cseg::validate_scaler(s, cseg::ErrorKind::InvalidText), cseg::Error);
    s.scale[1] = -2.0;
    EXPECT_THROW(cseg::validate_scaler(s, cseg::ErrorKind::InvalidText), cseg::Error);
    s.scale[1] = std::numeric_limits<double>::infinity();
    EXPECT_THROW(cseg::validate_scaler(s, cseg::ErrorKind::InvalidText), cseg::Error);
    s.scale[1] = 2.0;
    EXPECT_NO_THROW(cseg::validate_scaler(s, cseg::ErrorKind::InvalidText));
    s.center.pop_back();
    EXPECT_THROW(cseg::validate_scaler(s, cseg::ErrorKind::InvalidText), cseg::Error);
}

TEST(Missing, CompactKeepsCompleteRowsInOrder) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double data[] = {1, 2, nan, 4, 5, 6, 7, std::numeric_limits<double>::infinity(), 9, 10};
    EXPECT_EQ(cseg::compact_complete_rows(data, 5, 2), 3);
    EXPECT_EQ(data[0], 1);
    EXPECT_EQ(data[2], 5);
    EXPECT_EQ(data[4], 9);
    EXPECT_EQ(data[5], 10);
}

// Extreme values (issue 11, item 11): the robust scaler's quartiles of [1e308, -1e308] do not
// overflow (numpy: percentile 25 = -5e307, 75 = 5e307, so the scale is 1e308, not a silent 1),
// and a range beyond the double range is refused, never turned into scale 1.
TEST(Scaler, ExtremeValuesNeverBecomeScaleOne) {
    cseg::RowMatrix X(2, 1);
    X << 1e308, -1e308;
    const cseg::Scaler r =
        cseg::fit_scaler(cseg::ConstRowMap(X.data(), 2, 1), cseg::ScaleMethod::Robust);
    EXPECT_EQ(r.center[0], 0.0);
    EXPECT_DOUBLE_EQ(r.scale[0], 1e308);
    EXPECT_THROW(cseg::fit_scaler(cseg::ConstRowMap(X.data(), 2, 1), cseg::ScaleMethod::MinMax),
                 cseg::Error);
    cseg::RowMatrix Y(2, 1);
    Y << 1.7e308, 1.7e308;  // the median's sum overflows; the halves do not
    const cseg::Scaler m =
        cseg::fit_scaler(cseg::ConstRowMap(Y.data(), 2, 1), cseg::ScaleMethod::Robust);
    EXPECT_EQ(m.center[0], 1.7e308);
    EXPECT_EQ(m.scale[0], 1.0);  // constant feature
}
