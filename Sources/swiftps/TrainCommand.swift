import ArgumentParser
import Cluster
import Datasets
import Foundation
import Learning

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model: in this process (--single) or on a local multi-process cluster (--workers N --servers M).",
        discussion: """
        Examples:
          swiftps train --single --model cnn
          swiftps train --workers 4 --servers 2 --model mlp --epochs 2 --data mnist
          swiftps train --single --model mlp --schedule-workers 4 --steps 60 --export ref.safetensors
        """)

    @Flag(help: "Train in this one process (the default when --workers is not given).")
    var single = false

    @Option(help: "Number of worker processes of a local cluster (spawned on 127.0.0.1).")
    var workers: Int?

    @Option(help: "Number of parameter-server shards of a local cluster.")
    var servers: Int = 1

    @Option(help: "With --single: train on exactly the global batches an N-worker synchronous cluster would see, combining the N local-batch gradients in rank order (the reference for distributed == single-node).")
    var scheduleWorkers: Int = 1

    @OptionGroup var training: TrainingOptions

    func validate() throws {
        if single, workers != nil { throw ValidationError("--single and --workers exclude each other") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if servers < 1 { throw ValidationError("--servers must be at least 1, got \(servers)") }
        if scheduleWorkers < 1 { throw ValidationError("--schedule-workers must be at least 1, got \(scheduleWorkers)") }
        if workers != nil, scheduleWorkers != 1 {
            throw ValidationError("--schedule-workers is for --single; a cluster's schedule follows --workers")
        }
    }

    func run() throws {
        if workers != nil {
            throw ClusterError(.badArgument, "the multi-process cluster is not built yet; use --single")
        }
        let job = try training.job(workers: scheduleWorkers, servers: 0)
        BLAS.setThreads(job.blasThreads ?? BLASDefaults.threads(model: job.modelName, computeProcesses: 1))
        let split = try DataSource.load(data: job.data, testData: job.testData,
                                        labelColumn: job.labelColumn, seed: job.seed)
        let summary = try SingleNodeTrainer(job: job, split: split).run()
        print(summary.resultLine)
    }
}
