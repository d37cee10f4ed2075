import ArgumentParser
import Benchmarks

struct ClusterBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Single-node vs an N × M local cluster on the same job: wall time, CPU per sample, bytes per step, per-step breakdown, beside bare libzmq throughput (docs/BENCHMARKS.md).")

    @Option(help: "Model to train (a preset name or spec).")
    var model: String = "mlp"

    @Option(help: "Workers of the cluster run.")
    var workers: Int = 4

    @Option(help: "Server shards of the cluster run.")
    var servers: Int = 2

    @Option(help: "Optimizer steps in each run.")
    var steps: Int = 300

    @Option(help: "Global batch (default: the model's).")
    var batch: Int?

    @Option(help: "sync, async or ssp.")
    var mode: String = "sync"

    func validate() throws {
        if workers < 1 || servers < 1 || steps < 1 { throw ValidationError("--workers, --servers and --steps must be at least 1") }
        if let batch, batch < workers { throw ValidationError("--batch must be at least --workers") }
    }

    func run() throws {
        var o = ClusterBenchmark.Options()
        o.model = model
        o.workers = workers
        o.servers = servers
        o.steps = steps
        o.batch = batch
        o.mode = mode
        try ClusterBenchmark.run(o)
    }
}
