import ArgumentParser
import Cluster
import Foundation
import Learning

struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator of a cluster: admits servers and workers, ships data shards, evaluates, exports.")

    @Option(help: "ZeroMQ endpoint to bind the control-plane ROUTER on.")
    var bind: String = "tcp://*:5555"

    @Option(help: "Workers to wait for (default: $SWIFTPS_WORKERS, else 2).")
    var workers: Int = ProcessInfoEnvironment.int("SWIFTPS_WORKERS") ?? 2

    @Option(help: "Server shards to wait for (default: $SWIFTPS_SERVERS, else 1).")
    var servers: Int = ProcessInfoEnvironment.int("SWIFTPS_SERVERS") ?? 1

    @Option(help: "Seconds to wait for every role to register before failing.")
    var registrationTimeout: Double = 300

    @OptionGroup var training: TrainingOptions

    func validate() throws {
        if workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if servers < 1 { throw ValidationError("--servers must be at least 1, got \(servers)") }
        if registrationTimeout <= 0 { throw ValidationError("--registration-timeout must be positive") }
    }

    func run() throws {
        SwiftPS.bootstrapLogging()
        let job = try training.job(workers: workers, servers: servers)
        BLAS.setThreads(job.blasThreads ?? 1)
        let summary = try Coordinator(job: job, bind: bind, registrationTimeout: registrationTimeout).run()
        print(summary.resultLine)
    }
}

struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run one parameter-server shard; its rank and key range come from the coordinator.")

    @Option(help: "The coordinator's endpoint, e.g. tcp://coordinator:5555.")
    var coordinator: String

    @Option(help: "Endpoint to bind the push/pull ROUTER on (port 0 picks a free port).")
    var bind: String = "tcp://*:5556"

    @Option(help: "Endpoint to bind the weight-broadcast PUB on.")
    var publishBind: String = "tcp://*:5557"

    @Option(help: "Host name or address workers use to reach this server (default: the address of the interface that routes to the coordinator).")
    var advertise: String?

    func run() throws {
        SwiftPS.bootstrapLogging()
        try ServerShard(coordinator: coordinator, bind: bind, publishBind: publishBind, advertise: advertise).run()
    }
}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one worker; its rank, the job and its data shard come from the coordinator.")

    @Option(help: "The coordinator's endpoint, e.g. tcp://coordinator:5555.")
    var coordinator: String

    @Option(help: "OpenBLAS threads (default: cores ÷ workers on this host as the job says).")
    var blasThreads: Int?

    func validate() throws {
        if let blasThreads, blasThreads < 1 { throw ValidationError("--blas-threads must be at least 1") }
    }

    func run() throws {
        SwiftPS.bootstrapLogging()
        try WorkerNode(coordinator: coordinator, blasThreads: blasThreads).run()
    }
}
