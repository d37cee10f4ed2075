import Foundation

/// The result of a run, as printed at the end and written by `--summary-json`.
///
/// The key set is a contract (scripts and the integration tests read it): exactly these
/// eleven keys, snake_case, accuracy as a fraction in 0...1.
public struct TrainingSummary: Codable, Sendable, Equatable {
    public var testAccuracy: Double
    public var testLoss: Double
    public var trainLoss: Double
    public var epochs: Int
    public var steps: Int
    /// Training examples per second of training time (evaluation excluded).
    public var samplesPerSecond: Double
    public var wallSeconds: Double
    public var model: String
    public var optimizer: String
    public var workers: Int
    public var servers: Int

    enum CodingKeys: String, CodingKey {
        case testAccuracy = "test_accuracy"
        case testLoss = "test_loss"
        case trainLoss = "train_loss"
        case epochs, steps
        case samplesPerSecond = "samples_per_second"
        case wallSeconds = "wall_seconds"
        case model, optimizer, workers, servers
    }

    public init(testAccuracy: Double, testLoss: Double, trainLoss: Double, epochs: Int, steps: Int,
                samplesPerSecond: Double, wallSeconds: Double, model: String, optimizer: String,
                workers: Int, servers: Int) {
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.epochs = epochs
        self.steps = steps
        self.samplesPerSecond = samplesPerSecond
        self.wallSeconds = wallSeconds
        self.model = model
        self.optimizer = optimizer
        self.workers = workers
        self.servers = servers
    }

    /// Writes the summary atomically, so a reader never sees half a file.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // JSON has no NaN: a diverged run reports null-free sentinels rather than failing to write.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            let data = try encoder.encode(self)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ClusterError(.io, "cannot write summary JSON to \(path): \(error.localizedDescription)")
        }
    }

    /// The closing line every trainer prints.
    public var resultLine: String {
        String(format: "result: test accuracy %.2f%%  test loss %.4f  train loss %.4f  %d steps  %.0f samples/s  %.1f s  (%@, %@, %d worker%@ × %d server%@)",
               testAccuracy * 100, testLoss, trainLoss, steps, samplesPerSecond, wallSeconds,
               model, optimizer, workers, workers == 1 ? "" : "s", servers, servers == 1 ? "" : "s")
    }
}
