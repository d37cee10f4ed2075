/// A shaped, contiguous, row-major block of `Float`s (NHWC for images: channels vary fastest).
///
/// The engine's hot paths work on raw buffers owned by `Network`; `Tensor` is the value type for
/// the edges — returning logits, copying a named parameter out, building test inputs — where a
/// shape travelling with the numbers prevents layout mistakes.
/// Invariant: `scalars.count == shape.reduce(1, *)`.
public struct Tensor: Equatable, Sendable {
    public let shape: [Int]
    public private(set) var scalars: [Float]

    /// A tensor filled with `value`. Negative dimensions are treated as 0.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape.map { max(0, $0) }
        scalars = Array(repeating: value, count: self.shape.reduce(1, *))
    }

    /// Throws if `scalars.count` is not the product of `shape`.
    public init(shape: [Int], scalars: [Float]) throws {
        let expected = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), scalars.count == expected else {
            throw ModelSpecError(code: .invalidShape, token: "\(shape)",
                                 detail: "tensor of shape \(shape) needs \(expected) scalars, got \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    public var count: Int { scalars.count }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}
