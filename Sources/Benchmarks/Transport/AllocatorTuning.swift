import Wire

/// The benchmark applies `WireTuning.keepLargeFrameBuffersOnHeap()` in every process
/// (workers and servers) unless told not to, so the bare-libzmq baseline runs with the
/// same allocator settings as Wire: the comparison stays like for like.
enum AllocatorTuning {
    static func apply() { WireTuning.keepLargeFrameBuffersOnHeap() }
}
