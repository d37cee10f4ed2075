import XCTest
import Learning

final class ModelSpecTests: XCTestCase {
    func testSpecParsesIntoLayers() throws {
        let spec = try ModelSpec(parsing: "conv(32,3) relu maxpool(2) conv(16,5,same) flatten dense(64) relu dense(10)")
        XCTAssertEqual(spec.layers, [
            .conv(filters: 32, kernel: 3, padding: .valid), .relu, .maxPool(size: 2),
            .conv(filters: 16, kernel: 5, padding: .same), .flatten, .dense(units: 64), .relu, .dense(units: 10),
        ])
    }

    func testSpecPrintParseRoundTripIsIdentity() throws {
        for text in ["conv(32,3) relu maxpool(2) flatten dense(64) relu dense(10)",
                     "conv(8,3,same) relu flatten dense(10)", "flatten dense(10)"] {
            let spec = try ModelSpec(parsing: text)
            XCTAssertEqual(spec.description, text)
            XCTAssertEqual(try ModelSpec(parsing: spec.description), spec)
        }
        for preset in ModelPreset.all {
            XCTAssertEqual(try ModelSpec(parsing: preset.spec.description), preset.spec, preset.name)
        }
    }

    func testSpecAcceptsSpacesCommasArrowsAliasesAndCase() throws {
        let spec = try ModelSpec(parsing: "  Conv2D(32, 3, valid) -> ReLU, MaxPool(2)  flatten  Linear( 10 ) ")
        XCTAssertEqual(spec.description, "conv(32,3) relu maxpool(2) flatten dense(10)")
    }

    private func assertRejected(_ text: String, code: ModelSpecError.Code, naming token: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelSpec(parsing: text), file: file, line: line) { error in
            guard let e = error as? ModelSpecError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.code, code, "\(e)", file: file, line: line)
            XCTAssertEqual(e.token, token, file: file, line: line)
            XCTAssertTrue("\(e)".contains("\"\(token)\""), "message must quote the token: \(e)", file: file, line: line)
        }
    }

    func testBadSpecsAreRejectedWithMessageNamingTheToken() {
        assertRejected("flatten dens(10)", code: .unknownLayer, naming: "dens(10)")
        assertRejected("flatten dense(10) softmax", code: .unknownLayer, naming: "softmax")
        assertRejected("flatten dense(0)", code: .badArguments, naming: "dense(0)")
        assertRejected("flatten dense(x)", code: .badArguments, naming: "dense(x)")
        assertRejected("flatten dense()", code: .badArguments, naming: "dense()")
        assertRejected("flatten dense", code: .badArguments, naming: "dense")
        assertRejected("conv(32) relu", code: .badArguments, naming: "conv(32)")
        assertRejected("conv(32,3,full) relu", code: .badArguments, naming: "conv(32,3,full)")
        assertRejected("conv(32,3,same,1)", code: .badArguments, naming: "conv(32,3,same,1)")
        assertRejected("maxpool(-2)", code: .badArguments, naming: "maxpool(-2)")
        assertRejected("relu(3)", code: .badArguments, naming: "relu(3)")
        assertRejected("flatten dense(10", code: .malformedToken, naming: "dense(10")
        assertRejected("flatten dense(10)x", code: .unknownLayer, naming: "x")
    }

    func testEmptySpecIsRejected() {
        XCTAssertThrowsError(try ModelSpec(parsing: "   ")) { error in
            XCTAssertEqual((error as? ModelSpecError)?.code, .emptySpec)
        }
    }

    func testFinalWidthThatDiffersFromClassCountIsRejected() throws {
        let spec = try ModelSpec(parsing: "flatten dense(10)")
        XCTAssertThrowsError(try Network(spec: spec, inputShape: [4], classCount: 3, maxBatch: 8)) { error in
            guard let e = error as? ModelSpecError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .classCountMismatch)
            XCTAssertEqual(e.token, "dense(10)")
            XCTAssertTrue(e.description.contains("3 classes"), e.description)
        }
    }

    func testLayerThatDoesNotFitItsInputShapeIsRejected() throws {
        // dense on an image without flatten; conv on a flat vector; a kernel larger than the image.
        let cases: [(String, [Int], String)] = [
            ("dense(10)", [28, 28, 1], "dense(10)"),
            ("conv(4,3) flatten dense(3)", [4], "conv(4,3)"),
            ("conv(4,7) flatten dense(3)", [5, 5, 1], "conv(4,7)"),
            ("maxpool(6) flatten dense(3)", [5, 5, 1], "maxpool(6)"),
        ]
        for (text, shape, token) in cases {
            XCTAssertThrowsError(try Network(spec: ModelSpec(parsing: text), inputShape: shape, classCount: 3, maxBatch: 1)) { error in
                guard let e = error as? ModelSpecError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.code, .incompatibleShape, text)
                XCTAssertEqual(e.token, token)
            }
        }
    }

    func testInvalidInputShapeClassCountOrBatchIsRejected() throws {
        let spec = try ModelSpec(parsing: "dense(3)")
        XCTAssertThrowsError(try Network(spec: spec, inputShape: [0], classCount: 3, maxBatch: 1))
        XCTAssertThrowsError(try Network(spec: spec, inputShape: [4], classCount: 0, maxBatch: 1))
        XCTAssertThrowsError(try Network(spec: spec, inputShape: [4], classCount: 3, maxBatch: 0))
    }

    func testPresetsCarryTheirDefaults() throws {
        XCTAssertEqual(ModelPreset.all.map(\.name), ["logreg", "mlp", "cnn", "iris-mlp"])
        let logreg = try XCTUnwrap(ModelPreset.named("logreg"))
        XCTAssertEqual(logreg.spec.description, "flatten dense(10)")
        XCTAssertEqual([logreg.optimizer], [.sgd])
        XCTAssertEqual([logreg.learningRate], [0.1])
        XCTAssertEqual([logreg.batch, logreg.epochs], [64, 5])
        let mlp = try XCTUnwrap(ModelPreset.named("mlp"))
        XCTAssertEqual(mlp.spec.description, "flatten dense(128) relu dense(64) relu dense(10)")
        XCTAssertEqual(mlp.optimizer, .adam)
        XCTAssertEqual([mlp.batch, mlp.epochs], [64, 5])
        let cnn = try XCTUnwrap(ModelPreset.named("CNN"))
        XCTAssertEqual(cnn.spec.description,
                       "conv(32,3) relu maxpool(2) conv(64,3) relu maxpool(2) conv(64,3) relu flatten dense(64) relu dense(10)")
        XCTAssertEqual([cnn.batch, cnn.epochs], [32, 3])
        let iris = try XCTUnwrap(ModelPreset.named("iris-mlp"))
        XCTAssertEqual(iris.spec.description, "dense(16) relu dense(16) relu dense(3)")
        XCTAssertEqual(iris.optimizerConfig.kind, .adam)
        XCTAssertEqual(iris.optimizerConfig.learningRate, 0.01)
        XCTAssertEqual(iris.optimizerConfig.weightDecay, 0.01)
        XCTAssertEqual(mlp.optimizerConfig, OptimizerConfig(kind: .adam, learningRate: 1e-3))
        XCTAssertNil(ModelPreset.named("resnet"))
    }

    func testPresetParameterCountsMatchKeras() throws {
        // Keras model.summary(): MNIST convnet 93,322; MLP 784·128+128 + 128·64+64 + 64·10+10 = 109,386.
        let cnn = try Network(spec: ModelPreset.named("cnn")!.spec, inputShape: [28, 28, 1], classCount: 10, maxBatch: 1)
        XCTAssertEqual(cnn.parameterCount, 93_322)
        let mlp = try Network(spec: ModelPreset.named("mlp")!.spec, inputShape: [28, 28, 1], classCount: 10, maxBatch: 1)
        XCTAssertEqual(mlp.parameterCount, 109_386)
        let iris = try Network(spec: ModelPreset.named("iris-mlp")!.spec, inputShape: [4], classCount: 3, maxBatch: 1)
        XCTAssertEqual(iris.parameterCount, 4 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3)
    }

    func testParameterTensorsAreNamedByLayerPositionAndTileTheVector() throws {
        let net = try Network(spec: ModelSpec(parsing: "conv(4,3) relu flatten dense(3)"), inputShape: [5, 5, 2],
                              classCount: 3, maxBatch: 1)
        XCTAssertEqual(net.parameterTensors, [
            ParameterTensor(name: "layer0.conv.weight", shape: [3, 3, 2, 4], offset: 0, count: 72),
            ParameterTensor(name: "layer0.conv.bias", shape: [4], offset: 72, count: 4),
            ParameterTensor(name: "layer3.dense.weight", shape: [36, 3], offset: 76, count: 108),
            ParameterTensor(name: "layer3.dense.bias", shape: [3], offset: 184, count: 3),
        ])
        XCTAssertEqual(net.parameterCount, 187)
        XCTAssertEqual(net.parameters.count, 187)
        XCTAssertEqual(net.gradients.count, 187)
    }

    func testParameterlessStackHasEmptyParameterVectorAndStillEvaluates() throws {
        let net = try Network(spec: ModelSpec(parsing: "relu"), inputShape: [3], classCount: 3, maxBatch: 2)
        XCTAssertEqual(net.parameterCount, 0)
        XCTAssertEqual(net.parameters.count, 0)
        XCTAssertEqual(net.gradients.count, 0)
        let r = net.evaluate(inputs: [0.1, 0.9, -1], labels: [1], batch: 1)
        XCTAssertEqual(r.correct, 1)
        XCTAssertEqual(net.lossAndGradient(inputs: [0.1, 0.9, -1], labels: [1], batch: 1), Float(r.lossSum), accuracy: 1e-6)
    }
}
