/// Contiguous, uninitialised-on-growth `Float` storage that is allocated once and reused.
///
/// Why: the training step must not touch the heap in steady state. Activations, im2col matrices
/// and back-propagated gradients live in `FloatBuffer`s sized for the largest batch seen; a
/// larger batch grows the buffer once (contents are not preserved), a smaller one reuses it.
/// Invariant: `pointer` addresses `capacity` initialised floats (zero after allocation).
final class FloatBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int) {
        let n = max(1, capacity)
        pointer = .allocate(capacity: n)
        pointer.initialize(repeating: 0, count: n)
        self.capacity = n
    }

    /// Ensures room for `count` floats. Reallocates only when growing.
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

/// The `Int32` twin of `FloatBuffer`, for max-pool argmax indices.
final class IndexBuffer {
    private(set) var pointer: UnsafeMutablePointer<Int32>
    private(set) var capacity: Int

    init(capacity: Int) {
        let n = max(1, capacity)
        pointer = .allocate(capacity: n)
        pointer.initialize(repeating: 0, count: n)
        self.capacity = n
    }

    @inline(__always)
    func reserve(_ count: Int) {
        if count > capacity {
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            capacity = count
        }
    }

    deinit { pointer.deallocate() }
}
