/// A small, fast, seedable PRNG (SplitMix64) shared by initialisation and the data schedule.
///
/// Why our own: `SystemRandomNumberGenerator` cannot be seeded, and Foundation's generators
/// differ across platforms. Every process of a job must draw the same numbers from the same
/// seed — the distributed == single-node equivalence depends on it — so the algorithm is
/// fixed here and its output is part of the project's contract (tests pin a few values).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for a sub-stream, e.g. (seed, epoch, worker): mixes the parts so that
    /// neighbouring tuples give unrelated streams.
    public init(seed: UInt64, streams: UInt64...) {
        var mixed = SeededGenerator(seed: seed)
        var s = mixed.next()
        for part in streams {
            var g = SeededGenerator(seed: s ^ (part &* 0x9E37_79B9_7F4A_7C15))
            s = g.next()
        }
        state = s
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 bits of precision, identical on every platform.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform integer in [0, bound) without modulo bias (Lemire's method).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold {
                m = next().multipliedFullWidth(by: b)
            }
        }
        return Int(m.high)
    }

    /// A Fisher–Yates permutation of 0..<count; the schedule's shuffles all come from here.
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count < 2 { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            p.swapAt(i, j)
        }
        return p
    }
}
