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
          swiftps train --workers 4 --servers 2 --model mlp --epochs 4 --data mnist
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

    @Option(help: "Local cluster: server i binds ports P+2i (push/pull) and P+2i+1 (broadcast) on 127.0.0.1; 0 picks free ports.")
    var serverPorts: Int = 0

    @OptionGroup var training: TrainingOptions

    func validate() throws {
        if single, workers != nil { throw ValidationError("--single and --workers exclude each other") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if servers < 1 { throw ValidationError("--servers must be at least 1, got \(servers)") }
        if serverPorts < 0 || serverPorts > 65535 - 2 * servers {
            throw ValidationError("--server-ports must leave room for \(2 * servers) ports below 65536, got \(serverPorts)")
        }
        if scheduleWorkers < 1 { throw ValidationError("--schedule-workers must be at least 1, got \(scheduleWorkers)") }
        if workers != nil, scheduleWorkers != 1 {
            throw ValidationError("--schedule-workers is for --single; a cluster's schedule follows --workers")
        }
    }

    func run() throws {
        if let workers {
            try runCluster(workers: workers)
            return
        }
        let job = try training.job(workers: scheduleWorkers, servers: 0)
        BLAS.setThreads(job.blasThreads ?? BLASDefaults.threads(model: job.modelName, computeProcesses: 1))
        let split = try DataSource.load(data: job.data, testData: job.testData,
                                        labelColumn: job.labelColumn, seed: job.seed)
        let summary = try SingleNodeTrainer(job: job, split: split).run()
        print(summary.resultLine)
    }

    /// Spawns coordinator + servers + workers of this same binary on 127.0.0.1.
    func runCluster(workers: Int) throws {
        let job = try training.job(workers: workers, servers: servers)
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let port = try LocalCluster.freePort()
        let coordinator = "tcp://127.0.0.1:\(port)"
        // BLAS threads: cores ÷ compute processes (workers), never oversubscribed.
        let threads = job.blasThreads ?? BLASDefaults.threads(model: job.modelName, computeProcesses: workers)
        var roles = [LocalCluster.Role(name: "coordinator", arguments:
            ["coordinator", "--bind", coordinator, "--workers", String(workers), "--servers", String(servers),
             "--blas-threads", String(threads)] + job.trainingArguments)]
        for s in 0..<servers {
            // "*" asks ZeroMQ for an ephemeral port; the server advertises what it got.
            let (router, publish) = serverPorts == 0 ? ("*", "*") : (String(serverPorts + 2 * s), String(serverPorts + 2 * s + 1))
            roles.append(.init(name: "server \(s)", arguments:
                ["server", "--coordinator", coordinator, "--bind", "tcp://127.0.0.1:\(router)",
                 "--publish-bind", "tcp://127.0.0.1:\(publish)", "--advertise", "127.0.0.1"]))
        }
        for w in 0..<workers {
            roles.append(.init(name: "worker \(w)", arguments:
                ["worker", "--coordinator", coordinator, "--blas-threads", String(threads)]))
        }
        let status = try LocalCluster(executable: exe, roles: roles).run()
        if status != 0 { throw ExitCode(status) }
    }
}
