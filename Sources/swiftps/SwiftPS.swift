import ArgumentParser
import Logging

/// `swiftps`: one binary, one subcommand per role (DESIGN.md, "Running it").
@main
struct SwiftPS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftps",
        abstract: "A distributed parameter-server trainer: coordinator, server shards and workers over ZeroMQ.",
        subcommands: [TrainCommand.self, CoordinatorCommand.self, ServerCommand.self, WorkerCommand.self,
                      EvaluateCommand.self,
                      BenchCommand.self])

    /// swift-log to stderr; `SWIFTPS_LOG_LEVEL` (trace…critical) sets the level, default info.
    static func bootstrapLogging(label prefix: String = "") {
        let level = Logger.Level(rawValue: ProcessInfoEnvironment.value("SWIFTPS_LOG_LEVEL") ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: prefix.isEmpty ? label : prefix)
            handler.logLevel = level
            return handler
        }
    }
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: release builds only; every figure is printed beside a baseline measured in the same run.",
        subcommands: [ComputeBenchCommand.self, TransportBenchCommand.self, ClusterBenchCommand.self])
}
