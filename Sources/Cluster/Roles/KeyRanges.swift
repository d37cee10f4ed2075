/// Splitting the flat parameter vector over M server shards.
///
/// Contiguous, near-equal ranges regardless of tensor boundaries (DESIGN.md): large tensors
/// are split and small ones grouped, so every shard does the same optimizer work and moves
/// the same bytes. The first (P mod M) shards get one key more.
public enum KeyRanges {
    public static func split(count: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, parts)
        let base = count / parts
        let extra = count % parts
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(parts)
        var lo = 0
        for r in 0..<parts {
            let hi = lo + base + (r < extra ? 1 : 0)
            ranges.append(lo..<hi)
            lo = hi
        }
        return ranges
    }
}
