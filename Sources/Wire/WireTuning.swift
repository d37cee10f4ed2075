import CZeroMQ

/// Process-wide settings that matter for moving large frames.
public enum WireTuning {
    /// Keeps multi-MiB frame buffers on the malloc heap instead of a fresh mmap() each.
    ///
    /// Why: ZeroMQ's I/O thread mallocs every received frame; glibc serves blocks over its
    /// mmap threshold (128 KiB, adaptively up to 32 MiB) with their own mmap, so each large
    /// frame costs a page fault per 4 KiB page and an munmap when freed — on a VM that can
    /// cost more than moving the bytes. Call once at start-up in processes that receive
    /// large gradients or weights. glibc caps the mmap threshold at 32 MiB (HEAP_MAX_SIZE/2)
    /// and rejects larger values. Returns false where unsupported (non-glibc) or rejected.
    @discardableResult
    public static func keepLargeFrameBuffersOnHeap(mmapThreshold: Int = 32 << 20,
                                                   trimThreshold: Int = 512 << 20) -> Bool {
        swiftps_keep_large_allocations_on_heap(Int32(clamping: mmapThreshold), Int32(clamping: trimThreshold)) != 0
    }
}
