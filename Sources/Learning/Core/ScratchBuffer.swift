/// Contiguous, uninitialised-on-growth storage that is allocated once and reused.
///
/// Why: the training step must not touch the heap in steady state. Activations, im2col matrices,
/// back-propagated gradients and max-pool argmax indices live in scratch buffers sized for the
/// largest batch seen; a larger batch grows the buffer once (contents are not preserved), a
/// smaller one reuses it. Invariant: `pointer` addresses `capacity` initialised elements (zero
/// after allocation).
final class ScratchBuffer<Element: Numeric> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int) {
        let n = max(1, capacity)
        pointer = .allocate(capacity: n)
        pointer.initialize(repeating: 0, count: n)
        self.capacity = n
    }

    /// Ensures room for `count` elements. Reallocates only when growing.
    @inline(__always)
    func reserve(_ count: Int) {
        if count > capacity { grow(count) }
    }

    private func grow(_ count: Int) {
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
        capacity = count
    }

    deinit { pointer.deallocate() }
}

typealias FloatBuffer = ScratchBuffer<Float>
/// Max-pool argmax indices.
typealias IndexBuffer = ScratchBuffer<Int32>
