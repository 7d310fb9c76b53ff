import Foundation

/// A seedable pseudo-random generator for simulation and the parametric bootstrap:
/// xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64, with standard normal deviates
/// by Marsaglia's polar method.
///
/// Each replicate gets its own stream, derived from the master seed and the replicate index, so
/// results do not depend on how replicates are spread over threads.
struct BootstrapGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// The generator for stream `stream` (e.g. a replicate index) of master seed `seed`.
    init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = seed ^ (stream &+ 1) &* 0x9E37_79B9_7F4A_7C15
        // Decorrelate neighbouring streams: one SplitMix64 round on the stream first.
        mixer = Self.splitMix(&mixer) ^ seed
        state = (Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer))
        if state == (0, 0, 0, 0) { state.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits (xoshiro256**).
    mutating func next() -> UInt64 {
        let result = Self.rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotate(state.3, 45)
        return result
    }

    /// A uniform deviate in (0, 1) (53 random bits, never 0).
    mutating func nextUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// A standard normal deviate (Marsaglia's polar method; the second value of each pair is kept).
    mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * log(s) / s).squareRoot()
                spareNormal = v * factor
                return u * factor
            }
        }
    }
}
