import ArgumentParser
import Benchmarks

/// `swiftps bench compute`: engine vs bare OpenBLAS per layer shape, and training samples/s of
/// one process for 1 vs 2 (or the given) BLAS thread counts. See `ComputeBenchmark`.
struct ComputeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Measure GEMM efficiency and single-process training throughput.",
        discussion: """
            Prints, for each layer shape of the chosen models, bare cblas_sgemm GFLOP/s next to the \
            engine's forward+backward GFLOP/s (same FLOPs, same run) and their ratio; then whole \
            training steps per second (batch gather, forward, backward, optimizer) with µs per phase, \
            for each BLAS thread count.
            """)

    @Option(name: .long, help: "Model to measure: mlp, cnn, logreg or all (= mlp and cnn).")
    var model: String = "all"

    @Option(name: .long, help: "Seconds per measurement (each layer side, each model × thread count).")
    var seconds: Double = 2

    @Option(name: .long, parsing: .upToNextOption,
            help: "BLAS thread counts to compare, e.g. --threads 1 2.")
    var threads: [Int] = [1, 2]

    func validate() throws {
        guard ["mlp", "cnn", "logreg", "all"].contains(model) else {
            throw ValidationError("--model must be mlp, cnn, logreg or all, got '\(model)'")
        }
        guard seconds > 0, seconds <= 600 else {
            throw ValidationError("--seconds must be in (0, 600], got \(seconds)")
        }
        guard !threads.isEmpty, threads.allSatisfy({ $0 >= 1 && $0 <= 256 }) else {
            throw ValidationError("--threads must list counts between 1 and 256, got \(threads)")
        }
    }

    func run() throws {
        let models = model == "all" ? ["mlp", "cnn"] : [model]
        let options = ComputeBenchmark.Options(models: models, seconds: seconds, threads: threads)
        let report = try ComputeBenchmark.run(options) { line in print(line) }
        print("")
        print(report)
    }
}
