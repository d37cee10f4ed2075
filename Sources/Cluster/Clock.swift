import Foundation

/// Monotonic time for step and epoch timings (wall-clock changes must not skew samples/s).
enum Clock {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
    }
}
