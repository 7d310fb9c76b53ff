/// A small, fast, seedable random number generator whose output is identical on every
/// platform: xoshiro256** (Blackman & Vigna 2018) seeded by SplitMix64, with standard normal
/// variates from Marsaglia's polar method.
///
/// Reproducibility across platforms: the integer stream is exact; uniforms are the top 53
/// bits times 2⁻⁵³ (exact); the polar method needs only +, −, ×, ÷, √ (correctly rounded in
/// IEEE 754) and a logarithm, which is computed here by ``portableLog(_:)`` from those
/// operations alone instead of the platform's `log` (whose last bit can differ between libms).
///
///     var generator = SeededGenerator(seed: 42)
///     let z = generator.nextNormal()
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// Seeds the four state words with SplitMix64 from `seed` (any value, including 0).
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
        spareNormal = nil
    }

    /// The generator of stream `stream` (e.g. a bootstrap replicate's index) of master seed
    /// `seed`: the stream index goes through a SplitMix64 round before it is mixed with the seed,
    /// so neighbouring streams are decorrelated. Giving each replicate its own stream makes
    /// results independent of how replicates are spread over threads.
    public init(seed: UInt64, stream: UInt64) {
        var x = stream &+ 0x6A09_E667_F3BC_C909
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        self.init(seed: seed ^ (z ^ (z >> 31)))
    }

    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state && lhs.spareNormal == rhs.spareNormal
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform variate in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal variate (Marsaglia's polar method; the second variate of each
    /// accepted pair is kept for the next call).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            guard s > 0, s < 1 else { continue }
            let factor = (-2 * Self.portableLog(s) / s).squareRoot()
            spareNormal = v * factor
            return u * factor
        }
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    /// The natural logarithm of a positive finite `x`, from IEEE-exact operations only
    /// (argument reduction to m ∈ [√½, √2) by the binary exponent, then
    /// log m = 2 atanh((m − 1)/(m + 1)) by its series), accurate to a few ulps and the same on
    /// every platform.
    static func portableLog(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : .nan }
        var exponent = Double(x.exponent)
        var m = x.significand  // in [1, 2)
        if m > 1.4142135623730951 {
            m /= 2
            exponent += 1
        }
        let f = (m - 1) / (m + 1)
        let f2 = f * f
        var term = f
        var sum = 0.0
        var k = 1.0
        while true {
            let next = sum + term / k
            if next == sum { break }
            sum = next
            term *= f2
            k += 2
        }
        let ln2High = 0.693_147_180_369_123_816_49  // high bits of ln 2 (exact times small integers)
        let ln2Low = 1.908_214_929_270_587_700_02e-10
        return exponent * ln2High + (2 * sum + exponent * ln2Low)
    }
}
