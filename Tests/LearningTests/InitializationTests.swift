import XCTest
import Learning

final class InitializationTests: XCTestCase {
    private func initialized(_ seed: UInt64) throws -> Network {
        let net = try Network(spec: ModelPreset.named("cnn")!.spec, inputShape: [28, 28, 1], classCount: 10, maxBatch: 1)
        net.initializeParameters(seed: seed)
        return net
    }

    func testSameSeedGivesIdenticalParametersAcrossConstructions() throws {
        let a = try initialized(7), b = try initialized(7)
        XCTAssertEqual(Array(a.parameters).map(\.bitPattern), Array(b.parameters).map(\.bitPattern))
    }

    func testDifferentSeedsGiveDifferentParameters() throws {
        let a = try initialized(7), b = try initialized(8)
        XCTAssertNotEqual(Array(a.parameters), Array(b.parameters))
    }

    func testInitialParametersArePinned() throws {
        // The init is part of the cross-process contract: these values must never drift.
        let net = try Network(spec: ModelSpec(parsing: "dense(2) relu dense(2)"), inputShape: [2], classCount: 2, maxBatch: 1)
        net.initializeParameters(seed: 1)
        let first = Array(net.parameters)
        // Bit patterns of layer0.dense.weight, bias, layer2.dense.weight, bias for seed 1.
        XCTAssertEqual(first.map(\.bitPattern), [
            0x3EF2_B0E6, 0x3F93_EA4F, 0xBE38_2F92, 0x3F40_0363, 0, 0,
            0xBF98_8BB1, 0x3DAF_5ACE, 0x3CBA_9470, 0x3F36_DD41, 0, 0,
        ])
        net.initializeParameters(seed: 1)
        XCTAssertEqual(Array(net.parameters), first)
        // Glorot-uniform everywhere (Keras's default): limit √(6/(2+2)) for both layers.
        XCTAssertTrue(first[0..<4].allSatisfy { abs($0) <= Float(1.5).squareRoot() })
        XCTAssertTrue(first[6..<10].allSatisfy { abs($0) <= Float(1.5).squareRoot() })
    }

    func testBiasesStartAtZeroAndWeightsFillTheirGlorotRange() throws {
        let net = try initialized(3)
        for t in net.parameterTensors {
            let values = net.parameters[t.offset..<(t.offset + t.count)]
            if t.name.hasSuffix("bias") {
                XCTAssertTrue(values.allSatisfy { $0 == 0 }, t.name)
                continue
            }
            let (fanIn, fanOut): (Int, Int) = t.shape.count == 4
                ? (t.shape[0] * t.shape[1] * t.shape[2], t.shape[0] * t.shape[1] * t.shape[3])
                : (t.shape[0], t.shape[1])
            let limit = (6 / Float(fanIn + fanOut)).squareRoot()
            let maxAbs = values.map { abs($0) }.max() ?? 0
            XCTAssertLessThanOrEqual(maxAbs, limit, t.name)
            XCTAssertGreaterThan(maxAbs, 0.9 * limit, "\(t.name) should fill its range")
            let mean = values.reduce(0, +) / Float(values.count)
            XCTAssertLessThan(abs(mean), 0.1 * limit, t.name)
        }
    }
}
