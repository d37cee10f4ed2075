import ArgumentParser
import Cluster
import Datasets
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate an exported model (.safetensors) on a data set's test split.")

    @Argument(help: "A model written by --export.")
    var model: String

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Seed of the 80/20 split for data without a test set (use the training run's).")
    var seed: UInt64 = 1

    func run() throws {
        let network = try ModelImport.load(path: model, maxBatch: 256)
        let split = try DataSource.load(data: dataOptions.data ?? "mnist", testData: dataOptions.testData,
                                        labelColumn: dataOptions.labelColumn, seed: seed)
        guard split.test.sampleShape == network.inputShape, split.test.classCount <= network.classCount else {
            throw ClusterError(.dataMismatch, "\(model) takes inputs of shape \(network.inputShape) and \(network.classCount) classes; \(split.test.name) has \(split.test.sampleShape) and \(split.test.classCount)")
        }
        let r = Evaluator.evaluate(network, on: split.test, batch: 256)
        print(String(format: "%@ on %@ (%d examples): test accuracy %.2f%%  test loss %.4f",
                     model, split.test.name, split.test.count, r.accuracy * 100, r.loss))
    }
}
