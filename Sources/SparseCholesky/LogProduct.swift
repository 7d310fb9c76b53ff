import Foundation

/// Σ log vᵢ of positive values with one logarithm per run of products instead of one per value:
/// a run ends before its product could leave [1e-150, 1e150], and values outside [1e-100,
/// 1e100] take their own logarithm, so nothing overflows or underflows. The values are taken in
/// order, so the result depends only on them.
public enum LogProduct {
    /// Σ log vᵢ over `values` (positive; a non-positive value gives NaN or −∞, as `log` does).
    public static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        var sum = 0.0
        var product = 1.0
        for value in values {
            guard value > 1e-100, value < 1e100 else {
                sum += log(value)
                continue
            }
            product *= value
            if product > 1e150 || product < 1e-150 {
                sum += log(product)
                product = 1
            }
        }
        return sum + log(product)
    }
}
