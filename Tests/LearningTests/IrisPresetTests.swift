import Foundation
import XCTest
import Learning

/// The `iris-mlp` preset's defaults, checked on the bundled Iris data (data/iris/iris.csv)
/// prepared the way the Datasets module does it: a stratified 80/20 split by seed (per class,
/// shuffle its indices with SeededGenerator(seed, "split", class), first 20% → test) and
/// features standardised with training-set mean and population std.
final class IrisPresetTests: XCTestCase {
    private typealias Example = (features: [Float], label: Int32)

    private func loadIris() throws -> [Example] {
        // Tests/LearningTests/<file> → repository root (symlinks resolved for scratch packages).
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("data/iris/iris.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw XCTSkip("no Iris data at \(url.path)")
        }
        var rows: [Example] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ",")
            guard fields.count == 5, let label = Int32(fields[4]) else { continue }
            let features = fields[0..<4].compactMap { Float($0) }
            guard features.count == 4 else { continue }
            rows.append((features, label))
        }
        XCTAssertEqual(rows.count, 150)
        return rows
    }

    private func split(_ rows: [Example], seed: UInt64) -> (train: [Example], test: [Example]) {
        var isTest = [Bool](repeating: false, count: rows.count)
        for c in 0..<3 {
            let members = rows.indices.filter { rows[$0].label == Int32(c) }
            var g = SeededGenerator(seed: seed, streams: 0x73_70_6C_69_74, UInt64(c))
            for k in g.permutation(members.count).prefix(Int((0.2 * Double(members.count)).rounded())) {
                isTest[members[k]] = true
            }
        }
        var train = rows.indices.filter { !isTest[$0] }.map { rows[$0] }
        var test = rows.indices.filter { isTest[$0] }.map { rows[$0] }
        for j in 0..<4 {
            let column = train.map { Double($0.features[j]) }
            let mean = column.reduce(0, +) / Double(column.count)
            let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)).squareRoot()
            for i in train.indices { train[i].features[j] = (train[i].features[j] - Float(mean)) / Float(std) }
            for i in test.indices { test[i].features[j] = (test[i].features[j] - Float(mean)) / Float(std) }
        }
        return (train, test)
    }

    /// Test accuracy after training the preset with its own defaults.
    private func accuracy(_ data: (train: [Example], test: [Example]), initSeed: UInt64) throws -> Double {
        let preset = try XCTUnwrap(ModelPreset.named("iris-mlp"))
        let net = try Network(spec: preset.spec, inputShape: [4], classCount: 3, maxBatch: preset.batch)
        net.initializeParameters(seed: initSeed)
        let opt = SliceOptimizer(config: preset.optimizerConfig, count: net.parameterCount)
        var x = [Float](repeating: 0, count: preset.batch * 4), y = [Int32](repeating: 0, count: preset.batch)
        for epoch in 0..<preset.epochs {
            var g = SeededGenerator(seed: initSeed, streams: UInt64(epoch))
            let order = g.permutation(data.train.count)
            var start = 0
            while start < data.train.count {
                let b = min(preset.batch, data.train.count - start)
                for i in 0..<b {
                    let example = data.train[order[start + i]]
                    for j in 0..<4 { x[i * 4 + j] = example.features[j] }
                    y[i] = example.label
                }
                _ = net.lossAndGradient(inputs: x, labels: y, batch: b)
                opt.step(parameters: net.parameters, gradients: UnsafeBufferPointer(net.gradients))
                start += b
            }
        }
        let tx = data.test.flatMap(\.features), ty = data.test.map(\.label)
        return Double(net.evaluate(inputs: tx, labels: ty, batch: ty.count).correct) / Double(ty.count)
    }

    func testIrisPresetReachesAtLeast96Point67PercentOnTheSeedOneSplitForEveryInitSeed() throws {
        let data = split(try loadIris(), seed: 1)
        XCTAssertEqual(data.test.count, 30)
        for initSeed in UInt64(1)...10 {
            XCTAssertGreaterThanOrEqual(try accuracy(data, initSeed: initSeed), 29.0 / 30 - 1e-9, "init seed \(initSeed)")
        }
    }

    func testIrisPresetAveragesAbove95PercentOverSplits() throws {
        let rows = try loadIris()
        var sum = 0.0
        for seed in UInt64(1)...10 { sum += try accuracy(split(rows, seed: seed), initSeed: seed) }
        XCTAssertGreaterThanOrEqual(sum / 10, 0.95)
    }
}
