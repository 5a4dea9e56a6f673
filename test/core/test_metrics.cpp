// Tests of labels.hpp and metrics.hpp, with known answers from scikit-learn 1.2.1.
//
// Every sklearn figure below comes from
//     /usr/bin/python3 test/reference/metrics_reference.py
// which also writes the label vectors and per-sample silhouettes read here
// (test/reference/*.csv) and the same figures to test/reference/metrics_reference.txt.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "distance.hpp"
#include "labels.hpp"
#include "metrics.hpp"
#include "scaler.hpp"
#include "test_rows.hpp"

namespace cseg {
namespace {

using test::view;

const std::string kDataDir = CSEG_DATA_DIR;
const std::string kReferenceDir = kDataDir + "/../test/reference";
constexpr double kRelTol = 1e-9;  // SPEC.md: agree with scikit-learn to 1e-9 relative

// Mall_Customers.csv: Age, Annual Income (k$), Spending Score (1-100).
RowMatrix mall() {
    return test::numeric_columns(test::read_csv(kDataDir + "/Mall_Customers.csv", ','), {2, 3, 4});
}

// wholesale_customers.csv: Fresh, Milk, Grocery, Frozen, Detergents_Paper, Delicassen.
RowMatrix wholesale() {
    return test::numeric_columns(test::read_csv(kDataDir + "/wholesale_customers.csv", ';'),
                                 {2, 3, 4, 5, 6, 7});
}

// marketing_campaign.csv: every numeric column but ID; rows with an empty Income left out.
RowMatrix marketing() {
    const test::CsvTable table = test::read_csv(kDataDir + "/marketing_campaign.csv", '\t');
    std::vector<size_t> columns;
    for (size_t j = 0; j < table.header.size(); ++j) {
        const std::string& h = table.header[j];
        if (h != "ID" && h != "Education" && h != "Marital_Status" && h != "Dt_Customer") {
            columns.push_back(j);
        }
    }
    return test::numeric_columns(table, columns);
}

// X standard-scaled with the core's scaler (as sklearn's StandardScaler).
RowMatrix standard_scaled(RowMatrix X) {
    const Scaler scaler = fit_scaler(view(X), ScaleMethod::Standard);
    scaler.transform_rows(RowMap(X.data(), X.rows(), X.cols()));
    return X;
}

// A one-column CSV of test/reference/ with a header line, as numbers.
std::vector<double> reference_column(const std::string& file) {
    const RowMatrix m = test::numeric_columns(test::read_csv(kReferenceDir + "/" + file, ','), {0});
    return std::vector<double>(m.data(), m.data() + m.size());
}

// The KMeans labels the reference script stored.
std::vector<int32_t> kmeans_labels(const std::string& file) {
    std::vector<int32_t> labels;
    for (double v : reference_column(file)) labels.push_back(static_cast<int32_t>(v));
    return labels;
}

// Row i gets {42, -7, 1000000}[i % 3]: arbitrary raw values, as the reference script.
std::vector<int32_t> mod3_labels(int64_t n) {
    const int32_t values[] = {42, -7, 1000000};
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < n; ++i) labels.push_back(values[i % 3]);
    return labels;
}

// An interrupt callback that always reports a pending cancel.
bool always_cancel() { return true; }

// |actual - expected| <= kRelTol |expected|.
void expect_relative(double actual, double expected, const std::string& what) {
    EXPECT_NEAR(actual, expected, kRelTol * std::abs(expected)) << what;
}

// sklearn's silhouette_score, davies_bouldin_score, calinski_harabasz_score for one case.
struct KnownAnswer {
    const char* name;
    double silhouette;
    double davies_bouldin;
    double calinski_harabasz;
};

// Checks all three metrics against one known answer.
void expect_known(ConstRowMap X, const std::vector<int32_t>& labels, const KnownAnswer& k) {
    ASSERT_EQ(static_cast<size_t>(X.rows()), labels.size()) << k.name;
    const Interrupt none;
    expect_relative(silhouette_score(X, labels.data(), none), k.silhouette,
                    std::string(k.name) + " silhouette");
    expect_relative(davies_bouldin(X, labels.data(), none), k.davies_bouldin,
                    std::string(k.name) + " davies_bouldin");
    expect_relative(calinski_harabasz(X, labels.data(), none), k.calinski_harabasz,
                    std::string(k.name) + " calinski_harabasz");
}

// Euclidean distance between rows i and j of X, summed directly (no GEMM).
double distance(const RowMatrix& X, int64_t i, int64_t j) {
    return std::sqrt(
        squared_distance(X.row(i).data(), X.row(j).data(), static_cast<int32_t>(X.cols())));
}

// Straightforward O(n^2) silhouette with directly differenced distances: the oracle for
// the tiled code paths that the sample data never reaches.
std::vector<double> brute_force_silhouette(const RowMatrix& X, const std::vector<int32_t>& y) {
    const LabelCodes codes = encode_labels(y.data(), X.rows());
    const int64_t n = X.rows();
    std::vector<double> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        std::vector<double> sums(codes.counts.size(), 0.0);
        for (int64_t j = 0; j < n; ++j) {
            if (j != i) sums[codes.codes[j]] += distance(X, i, j);
        }
        const int32_t c = codes.codes[i];
        if (codes.counts[c] == 1) continue;
        const double a = sums[c] / static_cast<double>(codes.counts[c] - 1);
        double b = INFINITY;
        for (size_t k = 0; k < sums.size(); ++k) {
            if (static_cast<int32_t>(k) != c) b = std::min(b, sums[k] / codes.counts[k]);
        }
        out[i] = (b - a) / std::max(a, b);
    }
    return out;
}

TEST(Labels, EncodesInAscendingLabelOrder) {
    const int32_t raw[] = {7, -3, 7, 1000000, -3, 7};
    const LabelCodes codes = encode_labels(raw, 6);
    EXPECT_EQ(codes.n_labels(), 3);
    EXPECT_EQ(codes.classes, (std::vector<int32_t>{-3, 7, 1000000}));
    EXPECT_EQ(codes.codes, (std::vector<int32_t>{1, 0, 1, 2, 0, 1}));
    EXPECT_EQ(codes.counts, (std::vector<int64_t>{2, 3, 1}));
}

TEST(Labels, NumberOfLabelsCheckUsesSklearnWording) {
    EXPECT_NO_THROW(check_number_of_labels(2, 3));
    EXPECT_NO_THROW(check_number_of_labels(9, 10));
    for (int64_t bad : {int64_t{0}, int64_t{1}, int64_t{10}}) {
        try {
            check_number_of_labels(bad, 10);
            ADD_FAILURE() << bad << " labels accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
            EXPECT_EQ(std::string(e.what()),
                      "Number of labels is " + std::to_string(bad) +
                          ". Valid values are 2 to n_samples - 1 (inclusive)");
        }
    }
}

TEST(Metrics, SampleDataMatchesSklearn) {
    // From metrics_reference.txt.
    const KnownAnswer expected[] = {
        {"mall_raw_kmeans5", 0.41618308781722624, 0.85784289969546135, 135.48690872894926},
        {"mall_raw_mod3", -0.018308614259369697, 31.08161063945764, 0.20606412774193689},
        {"mall_scaled_kmeans5", 0.41664341513732767, 0.87455105100241792, 125.10094020060957},
        {"mall_scaled_mod3", -0.022184012460209384, 22.974627510676584, 0.47601872113934157},
        {"wholesale_raw_kmeans4", 0.30337606550243235, 1.1271748687699616, 99.031320632040334},
        {"wholesale_raw_mod3", -0.033994644784416522, 14.922790458651379, 0.9064485499174243},
        {"wholesale_scaled_kmeans4", 0.34852933451576035, 1.0613134141650422, 146.07604077542251},
        {"wholesale_scaled_mod3", -0.027310489047093454, 14.475700615441902, 0.94923731653257737},
        {"marketing_raw_kmeans4", 0.18779107356964209, 1.5487006783204627, 720.03739107251351},
        {"marketing_raw_mod3", -0.012904338549919975, 126.26491524467303, 1.521300638203041},
        {"marketing_scaled_kmeans4", 0.19497527142644863, 2.0517453762301563, 382.42667336629711},
        {"marketing_scaled_mod3", -0.0052612646327751828, 41.713396373144747, 0.90010880297717732},
    };
    struct Dataset {
        const char* name;
        RowMatrix raw;
        const char* kmeans;  // label file and case suffix
    };
    const Dataset datasets[] = {{"mall", mall(), "kmeans5"},
                                {"wholesale", wholesale(), "kmeans4"},
                                {"marketing", marketing(), "kmeans4"}};
    EXPECT_EQ(datasets[0].raw.rows(), 200);
    EXPECT_EQ(datasets[1].raw.rows(), 440);
    EXPECT_EQ(datasets[2].raw.rows(), 2216);  // 2240 less 24 rows without Income
    EXPECT_EQ(datasets[2].raw.cols(), 25);
    size_t next = 0;
    for (const Dataset& d : datasets) {
        const RowMatrix scaled = standard_scaled(d.raw);
        const std::string prefix = d.name;
        for (const RowMatrix* X : {&d.raw, &scaled}) {
            const std::string feats = X == &d.raw ? "_raw_" : "_scaled_";
            const std::vector<int32_t> km = kmeans_labels(prefix + "_" + d.kmeans + ".csv");
            const std::vector<int32_t> mod = mod3_labels(X->rows());
            for (const auto* labels : {&km, &mod}) {
                const KnownAnswer& k = expected[next++];
                ASSERT_EQ(prefix + feats + (labels == &km ? d.kmeans : "mod3"), k.name);
                expect_known(view(*X), *labels, k);
            }
        }
    }
    EXPECT_EQ(next, std::size(expected));
}

TEST(Metrics, EdgeCasesMatchSklearn) {
    const RowMatrix mall_raw = mall();
    const std::vector<int32_t> km = kmeans_labels("mall_kmeans5.csv");
    {  // three clusters, one a singleton
        RowMatrix X(6, 2);
        X << 0, 0, 1, 0, 0, 1, 5, 5, 6, 5, 20, 20;
        expect_known(view(X), {0, 0, 0, 1, 1, 2},
                     {"singleton", 0.70373015823192364, 0.11849395579666429, 474.81818181818176});
    }
    {  // every row the same point: no dispersion anywhere
        const RowMatrix X = RowMatrix::Constant(6, 2, 3.0);
        expect_known(view(X), {0, 0, 0, 1, 1, 1}, {"identical", 0.0, 0.0, 1.0});
    }
    {  // clusters of duplicated points
        RowMatrix X(5, 2);
        X << 1, 1, 1, 1, 4, 5, 4, 5, 4, 5;
        expect_known(view(X), {0, 0, 1, 1, 1}, {"duplicates", 1.0, 0.0, 1.0});
    }
    {  // every mall row twice
        RowMatrix X(2 * mall_raw.rows(), mall_raw.cols());
        std::vector<int32_t> labels;
        for (int64_t i = 0; i < mall_raw.rows(); ++i) {
            X.row(2 * i) = X.row(2 * i + 1) = mall_raw.row(i);
            labels.insert(labels.end(), 2, km[i]);
        }
        expect_known(
            view(X), labels,
            {"mall_duplicated", 0.4232460414484841, 0.85784289969546157, 274.44784075864084});
    }
    {  // a constant fourth feature changes nothing
        RowMatrix X(mall_raw.rows(), 4);
        X << mall_raw, RowMatrix::Constant(mall_raw.rows(), 1, 7.0);
        expect_known(
            view(X), km,
            {"mall_constant", 0.41618308781722624, 0.85784289969546124, 135.48690872894926});
    }
    {  // n - 1 labels: rows 0 and 1 together, every other row alone
        std::vector<int32_t> labels;
        for (int32_t i = 0; i < mall_raw.rows(); ++i) labels.push_back(i == 1 ? 0 : i);
        expect_known(
            view(mall_raw), labels,
            {"mall_n_minus_1", -0.00800355615162863, 0.44141645863069118, 1.7592713332419212});
    }
}

TEST(Metrics, SilhouetteSamplesMatchSklearn) {
    // Per-row values on the raw features with the KMeans labels. Marketing mixes an income
    // column of ~1e5 with 0/1 columns and has duplicate rows: distances there are exact
    // only if the GEMM stays exact on integers.
    const struct {
        RowMatrix X;
        const char* labels;
        const char* expected;
    } cases[] = {{mall(), "mall_kmeans5.csv", "mall_silhouette_samples.csv"},
                 {marketing(), "marketing_kmeans4.csv", "marketing_silhouette_samples.csv"}};
    for (const auto& c : cases) {
        const std::vector<int32_t> labels = kmeans_labels(c.labels);
        const std::vector<double> expected = reference_column(c.expected);
        ASSERT_EQ(expected.size(), static_cast<size_t>(c.X.rows()));
        std::vector<double> got(expected.size());
        silhouette_samples(view(c.X), labels.data(), got.data(), Interrupt());
        for (size_t i = 0; i < got.size(); ++i) {
            expect_relative(got[i], expected[i], c.expected + (" row " + std::to_string(i)));
        }
    }
    // The singleton case, one value per row; the singleton itself scores 0.
    RowMatrix S(6, 2);
    S << 0, 0, 1, 0, 0, 1, 5, 5, 6, 5, 20, 20;
    const int32_t s_labels[] = {0, 0, 0, 1, 1, 2};
    const double s_expected[] = {0.86560329744705833, 0.82082684041164333, 0.8226697997687924,
                                 0.8490741930789415,  0.86420681868510607, 0.0};
    double s_got[6];
    silhouette_samples(view(S), s_labels, s_got, Interrupt());
    for (int i = 0; i < 6; ++i) expect_relative(s_got[i], s_expected[i], "singleton row");
    EXPECT_EQ(s_got[5], 0.0);
}

TEST(Metrics, LabelValuesDoNotMatter) {
    const RowMatrix X = standard_scaled(wholesale());
    const std::vector<int32_t> km = kmeans_labels("wholesale_kmeans4.csv");
    std::vector<int32_t> renamed;  // 0 -> 900, 1 -> -5, 2 -> 17, 3 -> INT32_MIN
    const int32_t names[] = {900, -5, 17, INT32_MIN};
    for (int32_t c : km) renamed.push_back(names[c]);
    const Interrupt none;
    expect_relative(silhouette_score(view(X), renamed.data(), none),
                    silhouette_score(view(X), km.data(), none), "silhouette");
    expect_relative(davies_bouldin(view(X), renamed.data(), none),
                    davies_bouldin(view(X), km.data(), none), "davies_bouldin");
    expect_relative(calinski_harabasz(view(X), renamed.data(), none),
                    calinski_harabasz(view(X), km.data(), none), "calinski_harabasz");
}

TEST(Metrics, ManyLabelsUseSeveralPanelsAndSmallTiles) {
    // 3000 rows in 1500 clusters: the per-cluster sums exceed their budget, so the rows are
    // split into panels; 20000 clusters would also shrink the tiles, 1500 keeps it quick.
    const int64_t n = 3000;
    RowMatrix X(n, 3);
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < n; ++i) {
        X.row(i) << std::sin(0.1 * i), std::cos(0.37 * i) * 10.0, 1e6 + (i % 17);
        labels.push_back(static_cast<int32_t>((i * 7919) % 1500) * 3 - 2000);
    }
    const std::vector<double> expected = brute_force_silhouette(X, labels);
    std::vector<double> got(n);
    silhouette_samples(view(X), labels.data(), got.data(), Interrupt());
    for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(got[i], expected[i], kRelTol * std::max(1e-3, std::abs(expected[i])))
            << "row " << i;
    }
}

TEST(Metrics, NMinusOneLabelsOnManyRowsShrinkTheTiles) {
    // 17000 rows, rows 0 and 1 together and every other row alone: 16999 clusters, more than
    // the per-cluster sums budget allows for a full tile of rows. Only rows 0 and 1 score:
    // a = their distance, b = the distance to the nearest other row.
    const int64_t n = 17000;
    RowMatrix X(n, 2);
    std::vector<int32_t> labels(n);
    for (int64_t i = 0; i < n; ++i) {
        X.row(i) << std::fmod(i * 0.618033988749895, 1.0) * 100.0, std::sin(1e-3 * i) * 50.0;
        labels[i] = static_cast<int32_t>(i == 1 ? 0 : i);
    }
    double expected[2];
    for (int64_t i = 0; i < 2; ++i) {
        const double a = distance(X, 0, 1);
        double b = INFINITY;
        for (int64_t j = 2; j < n; ++j) b = std::min(b, distance(X, i, j));
        expected[i] = (b - a) / std::max(a, b);
    }
    std::vector<double> got(n);
    silhouette_samples(view(X), labels.data(), got.data(), Interrupt());
    expect_relative(got[0], expected[0], "row 0");
    expect_relative(got[1], expected[1], "row 1");
    for (int64_t i = 2; i < n; ++i) ASSERT_EQ(got[i], 0.0) << "row " << i;
}

TEST(Metrics, WrongNumberOfLabelsIsAnError) {
    const RowMatrix X = mall();
    const int64_t n = X.rows();
    std::vector<int32_t> one(n, 5), all(n);
    for (int64_t i = 0; i < n; ++i) all[i] = static_cast<int32_t>(i);
    const Interrupt none;
    for (const auto* labels : {&one, &all}) {
        const std::string message = "Number of labels is " +
                                    std::to_string(labels == &one ? 1 : n) +
                                    ". Valid values are 2 to n_samples - 1 (inclusive)";
        std::vector<double> out(n);
        const std::vector<std::function<void()>> calls = {
            [&] { silhouette_score(view(X), labels->data(), none); },
            [&] { silhouette_samples(view(X), labels->data(), out.data(), none); },
            [&] { davies_bouldin(view(X), labels->data(), none); },
            [&] { calinski_harabasz(view(X), labels->data(), none); },
        };
        for (const auto& call : calls) {
            try {
                call();
                ADD_FAILURE() << "accepted: " << message;
            } catch (const Error& e) {
                EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
                EXPECT_EQ(std::string(e.what()), message);
            }
        }
    }
}

TEST(Metrics, NonFiniteOrNoFeaturesAreAnError) {
    RowMatrix X = mall();
    X(17, 1) = NAN;
    const std::vector<int32_t> km = kmeans_labels("mall_kmeans5.csv");
    const Interrupt none;
    EXPECT_THROW(silhouette_score(view(X), km.data(), none), Error);
    EXPECT_THROW(silhouette_score(view(X), km.data(), none, 50, 1), Error);
    EXPECT_THROW(davies_bouldin(view(X), km.data(), none), Error);
    X(17, 1) = INFINITY;
    EXPECT_THROW(calinski_harabasz(view(X), km.data(), none), Error);
    const RowMatrix no_features(5, 0);
    const int32_t labels[] = {0, 0, 1, 1, 2};
    EXPECT_THROW(silhouette_score(view(no_features), labels, none), Error);
}

TEST(Metrics, CancellationThrowsCancelled) {
    const RowMatrix X = mall();
    const std::vector<int32_t> km = kmeans_labels("mall_kmeans5.csv");
    const Interrupt cancel(always_cancel);
    std::vector<double> out(X.rows());
    EXPECT_THROW(silhouette_score(view(X), km.data(), cancel), Cancelled);
    EXPECT_THROW(silhouette_score(view(X), km.data(), cancel, 100, 3), Cancelled);
    EXPECT_THROW(silhouette_samples(view(X), km.data(), out.data(), cancel), Cancelled);
    EXPECT_THROW(davies_bouldin(view(X), km.data(), cancel), Cancelled);
    EXPECT_THROW(calinski_harabasz(view(X), km.data(), cancel), Cancelled);
}

TEST(Metrics, SampledSilhouetteIsSeededAndBounded) {
    const RowMatrix X = standard_scaled(marketing());
    const std::vector<int32_t> km = kmeans_labels("marketing_kmeans4.csv");
    const Interrupt none;
    const double full = silhouette_score(view(X), km.data(), none);
    // sample_size >= n means all rows, as sklearn's permutation(n)[:sample_size].
    EXPECT_EQ(silhouette_score(view(X), km.data(), none, X.rows(), 9), full);
    EXPECT_EQ(silhouette_score(view(X), km.data(), none, X.rows() + 5, 9), full);
    const double a = silhouette_score(view(X), km.data(), none, 1000, 42);
    EXPECT_EQ(silhouette_score(view(X), km.data(), none, 1000, 42), a);
    EXPECT_NE(silhouette_score(view(X), km.data(), none, 1000, 43), a);
    EXPECT_NE(a, full);
    EXPECT_NEAR(a, full, 0.05);  // 1000 of 2216 rows: an estimate of the full mean
    EXPECT_THROW(silhouette_score(view(X), km.data(), none, -1, 0), Error);
    // A sample of 2 rows has at most 2 labels but sklearn needs L <= n - 1 = 1.
    EXPECT_THROW(silhouette_score(view(X), km.data(), none, 2, 0), Error);
}


// Duplicate and near-duplicate rows with non-integer values: ||a||^2 + ||b||^2 - 2ab of two
// equal rows need not be 0 in floating point (`make diffcheck`: 3 distinct standardised rows,
// 95 copies, scored 0.9999999968 instead of 1 through SQL; these 3 happened to give 0), and
// rows 1e-7 apart lost most digits of their distance (every row of the second half failed
// before). Close pairs are measured again directly.
TEST(Metrics, DuplicateAndNearDuplicateRowsAreMeasuredExactly) {
    const double distinct[3][4] = {{-1.2345678901, 0.3141592653, 1.7320508075, -0.5772156649},
                                   {0.6931471805, -1.4142135623, 0.2718281828, 1.6180339887},
                                   {1.0986122886, 0.5772156649, -1.3862943611, -0.1234567891}};
    RowMatrix X(90, 4);
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < 90; ++i) {
        for (int j = 0; j < 4; ++j) X(i, j) = distinct[i % 3][j];
        labels.push_back(static_cast<int32_t>(i % 3));
    }
    EXPECT_EQ(silhouette_score(view(X), labels.data(), Interrupt()), 1.0);
    for (int64_t i = 0; i < 90; ++i) X(i, i % 4) += 1e-7 * static_cast<double>((i * 7919) % 13);
    const std::vector<double> expected = brute_force_silhouette(X, labels);
    std::vector<double> got(90);
    silhouette_samples(view(X), labels.data(), got.data(), Interrupt());
    for (size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(got[i], expected[i], 1e-12) << "row " << i;
}

}  // namespace
}  // namespace cseg

// A compensated sum split into partial sums merged in another order (as seg_drift's parallel
// and partitionwise plans merge their states) has the serial sum's digits, where plain
// addition does not.
TEST(Metrics, CompensatedAddMergesPartialSumsToTheSerialDigits) {
    std::vector<double> v;
    for (int i = 0; i < 5000; ++i) v.push_back((i * 7919 % 10007) * 1.1 + 1e-3 * (i % 13));
    double sum = 0.0, carry = 0.0, plain = 0.0;
    for (double x : v) {
        cseg::compensated_add(sum, carry, x);
        plain += x;
    }
    bool plain_differs = false;
    for (size_t cut : {size_t{1}, size_t{1234}, size_t{2500}, size_t{4999}}) {
        double s1 = 0.0, c1 = 0.0, s2 = 0.0, c2 = 0.0, p1 = 0.0, p2 = 0.0;
        for (size_t i = 0; i < cut; ++i) cseg::compensated_add(s1, c1, v[i]), p1 += v[i];
        for (size_t i = cut; i < v.size(); ++i) cseg::compensated_add(s2, c2, v[i]), p2 += v[i];
        /* The later partial state first, as a Finalize Aggregate may receive them. */
        cseg::compensated_add(s2, c2, s1);
        c2 += c1;
        EXPECT_EQ(s2 + c2, sum + carry) << "cut at " << cut;
        plain_differs = plain_differs || p2 + p1 != plain;
    }
    EXPECT_TRUE(plain_differs) << "the data no longer shows plain addition's order dependence";
    EXPECT_EQ(cseg::compensated_sum(v.data(), static_cast<int64_t>(v.size())), sum + carry);
}
