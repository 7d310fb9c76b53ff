// A small seeded pseudo-random number generator, so that a seed gives the same data on every
// machine and every Swift version (the standard library's generators make no such promise).
//
//   - The state is seeded with splitmix64 (Steele, Lea & Flood 2014), as the xoshiro authors
//     recommend.
//   - The stream is xoshiro256** (Blackman & Vigna 2018).
//   - Uniforms on [0, 1) take the top 53 bits; normals come from the Marsaglia polar method
//     (the spare deviate is kept for the next call); bounded integers use Lemire's
//     multiply-and-reject method, which is exact (no modulo bias).
//
// Only integer arithmetic, IEEE arithmetic, `sqrt` (exactly rounded by IEEE 754) and `log` are
// used. `log` is the one libm function; libms agree on it to within an ulp, and since every
// written number is rounded to 6 decimals, such a difference changes a written digit only with
// probability around 1e-10 per value: in practice the files are identical on every machine.

import Foundation

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct Xoshiro256StarStar {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Double? = nil

    init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform on [0, 1), 53 random bits.
    @inline(__always)
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0 ..< bound (bound > 0), without bias (Lemire 2019).
    @inline(__always)
    mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Standard normal deviate (Marsaglia polar method).
    @inline(__always)
    mutating func normal() -> Double {
        if let z = spareNormal { spareNormal = nil; return z }
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                spareNormal = v * f
                return u * f
            }
        }
    }

    /// Shuffles `a` in place (Fisher–Yates, from the end).
    mutating func shuffle<T>(_ a: inout [T]) {
        var i = a.count - 1
        while i > 0 {
            let j = integer(below: i + 1)
            a.swapAt(i, j)
            i -= 1
        }
    }
}
