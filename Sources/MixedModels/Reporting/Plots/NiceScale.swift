import Foundation

/// The range of a plot axis with "nice" tick values: multiples of 1, 2 or 5 times a power of
/// ten (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990). The step is the nice
/// number nearest to the range divided by one less than the target tick count (Heckbert first
/// rounds the range itself up to a nice number, which on a range of 250 gives three ticks
/// instead of six).
///
/// The axis shows the data range widened by a small padding on each side; the ticks are the
/// multiples of the step that fall inside it.
public struct NiceScale: Sendable, Equatable {
    /// The smallest value the axis shows.
    public let lower: Double
    /// The largest value the axis shows.
    public let upper: Double
    /// The distance between ticks: ``stepMantissa`` × 10^``stepExponent``.
    public var step: Double { Self.value(multiple: 1, mantissa: stepMantissa, exponent: stepExponent) }
    /// 1, 2 or 5.
    public let stepMantissa: Int
    /// The power of ten of the step.
    public let stepExponent: Int
    /// The tick values, increasing; each is an integer multiple of ``step``.
    public let ticks: [Double]

    /// A scale covering `[minimum, maximum]` with about `targetTickCount` ticks.
    ///
    /// - Parameters:
    ///   - padding: the fraction of the data range added on each side (0.04: points do not sit
    ///     on the frame).
    /// A degenerate range (one value) is widened to ±10 % of the value (±1 around 0); non-finite
    /// limits give the range [0, 1].
    public init(minimum: Double, maximum: Double, targetTickCount: Int = 6, padding: Double = 0.04) {
        var low = minimum
        var high = maximum
        if !low.isFinite || !high.isFinite || low > high {
            low = 0
            high = 1
        }
        if high - low <= 1e-12 * max(abs(low), abs(high)) || high == low {
            let half = low == 0 ? 1 : abs(low) * 0.1
            low -= half
            high += half
        }
        if !(high - low).isFinite {
            // Limits near ±1.8e308: keep the span representable.
            low = max(low, -Self.largestLimit)
            high = min(high, Self.largestLimit)
        }
        let span = high - low
        low -= padding * span
        high += padding * span
        self.lower = low
        self.upper = high
        let target = max(targetTickCount, 2)
        let niceStep = Self.niceNumber((high - low) / Double(target - 1), rounding: true)
        var mantissa = niceStep.mantissa
        var exponent = niceStep.exponent
        var ticks = Self.multiples(from: low, to: high, mantissa: mantissa, exponent: exponent)
        var attempts = 0
        while ticks.count < 3 && attempts < 6 {
            attempts += 1
            (mantissa, exponent) = Self.smallerNiceStep(mantissa: mantissa, exponent: exponent)
            ticks = Self.multiples(from: low, to: high, mantissa: mantissa, exponent: exponent)
        }
        self.stepMantissa = mantissa
        self.stepExponent = exponent
        self.ticks = ticks
    }

    /// The largest limit kept, so that the axis span stays finite.
    static let largestLimit = 4e307

    /// A scale covering the finite values of `values`.
    public init(covering values: [Double], targetTickCount: Int = 6, padding: Double = 0.04) {
        var minimum = Double.infinity
        var maximum = -Double.infinity
        for value in values where value.isFinite {
            minimum = min(minimum, value)
            maximum = max(maximum, value)
        }
        self.init(minimum: minimum, maximum: maximum, targetTickCount: targetTickCount, padding: padding)
    }

    /// Heckbert's nice number near `x` > 0 as a mantissa (1, 2 or 5) and a power of ten:
    /// rounding picks the nearest nice number, otherwise the smallest nice number ≥ x.
    static func niceNumber(_ x: Double, rounding: Bool) -> (mantissa: Int, exponent: Int, value: Double) {
        guard x.isFinite, x > 0 else { return (1, 0, 1) }
        var exponent = Int(floor(log10(x)))
        let fraction = x / pow(10, Double(exponent))
        var mantissa: Int
        if rounding {
            mantissa = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            mantissa = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        if mantissa == 10 {
            mantissa = 1
            exponent += 1
        }
        return (mantissa, exponent, value(multiple: 1, mantissa: mantissa, exponent: exponent))
    }

    /// The next smaller nice step: 5 → 2 → 1 → 0.5 …
    private static func smallerNiceStep(mantissa: Int, exponent: Int) -> (Int, Int) {
        switch mantissa {
        case 5: return (2, exponent)
        case 2: return (1, exponent)
        default: return (5, exponent - 1)
        }
    }

    /// k × mantissa × 10^exponent, computed so that decimal steps come out as the nearest
    /// double (0.1 × 3 is 0.3, not 0.30000000000000004).
    static func value(multiple k: Int, mantissa: Int, exponent: Int) -> Double {
        let integer = Double(k * mantissa)
        return exponent >= 0 ? integer * pow(10, Double(exponent)) : integer / pow(10, Double(-exponent))
    }

    /// The multiples of the step in [low, high].
    private static func multiples(from low: Double, to high: Double, mantissa: Int, exponent: Int) -> [Double] {
        let step = value(multiple: 1, mantissa: mantissa, exponent: exponent)
        guard step > 0, abs(low / step) < 1e15, abs(high / step) < 1e15 else { return [] }
        // A limit within rounding error of a multiple counts as that multiple (0.7 / 0.1 is 6.999…).
        let first = Int((low / step - 1e-9).rounded(.up))
        let last = Int((high / step + 1e-9).rounded(.down))
        guard last >= first, last - first <= 1000 else { return [] }
        return (first...last).map { value(multiple: $0, mantissa: mantissa, exponent: exponent) }
    }

    /// The axis position of `value` between the pixel coordinates `start` (at ``lower``) and
    /// `end` (at ``upper``).
    func position(of value: Double, from start: Double, to end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// A tick label: as many decimals as the step needs ("0.25" is never written, the step being
    /// 1, 2 or 5 × 10^e), in exponent notation for very large or small steps.
    public func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        if stepExponent >= 7 || stepExponent <= -7 {
            let exponent = stepExponent
            let mantissa = value / pow(10, Double(exponent))
            return String(format: "%.0fe%d", mantissa, exponent)
        }
        let decimals = max(0, -stepExponent)
        return String(format: "%.\(decimals)f", value)
    }
}
