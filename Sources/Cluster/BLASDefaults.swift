import Foundation

/// Default OpenBLAS thread counts.
///
/// Never more than cores ÷ compute processes on the host (oversubscribing makes OpenBLAS
/// threads spin against each other). Within that, the per-model choice is by measurement
/// (docs/BENCHMARKS.md): on 2-vCPU VMs a second thread slows the mlp's small GEMMs (waking a
/// thread on the other vCPU costs ~44 µs, a sizeable part of a 0.5 ms step) but helps the cnn.
public enum BLASDefaults {
    public static func threads(model: String, computeProcesses: Int) -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let budget = max(1, cores / max(1, computeProcesses))
        let preferred: Int
        switch model {
        case "cnn": preferred = budget
        default: preferred = 1
        }
        return max(1, min(preferred, budget))
    }
}
