// Knee / elbow detection with Kneedle (Satopää, Albrecht, Irwin & Raghavan, "Finding a
// 'Kneedle' in a Haystack: Detecting Knee Points in System Behavior", ICDCS workshops 2011),
// in the offline form of the widely used kneed package (KneeLocator with interp1d and
// online=False), so the elbow agrees with what analysts get in Python.
#pragma once

#include <cstdint>

namespace cseg {

// The shape of the curve around its knee: an elbow chart of inertia against k is a
// decreasing, convex curve.
enum class KneeCurve : uint8_t { Concave = 0, Convex = 1 };
enum class KneeDirection : uint8_t { Increasing = 0, Decreasing = 1 };

// Index of the knee of the n points (x[i], y[i]), or -1 when there is none. Steps: both axes
// normalised to [0, 1]; y turned into a concave increasing curve (flipped as the shape
// requires); the difference curve yt - xn and its local maxima and minima; each maximum's
// threshold = its value - sensitivity * mean step of xn; walking right from the first
// maximum, the knee is the last maximum passed when the difference curve first falls below
// that maximum's threshold (after a local minimum the threshold is 0). Fewer than 3 points or
// a constant y have no knee. Throws Error(InvalidParameter) unless x is strictly increasing,
// every value finite and sensitivity finite and >= 0.
int64_t find_knee(const double* x, const double* y, int64_t n, KneeCurve curve,
                  KneeDirection direction, double sensitivity = 1.0);

}  // namespace cseg
