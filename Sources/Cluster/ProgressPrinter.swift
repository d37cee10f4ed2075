import Datasets
import Foundation

/// Human-facing progress: one line per epoch on stdout, and on a terminal a live line on
/// stderr within the epoch (step, loss, samples/s, ETA), redrawn at most 5 times a second so
/// printing never shows up in a profile.
public final class ProgressPrinter: @unchecked Sendable {
    let prefix: String
    let live: Bool
    private var lastDraw: UInt64 = 0
    private var drewLive = false

    public init(prefix: String = "", live: Bool = isatty(STDERR_FILENO) != 0) {
        self.prefix = prefix
        self.live = live
    }

    public func line(_ text: String) {
        clearLive()
        print(prefix + text)
        fflush(nil)
    }

    func start(job: TrainingJob, split: DataSplit, parameterCount: Int, stepsPerEpoch: Int, totalSteps: Int) {
        line("model \(job.modelName) [\(job.spec)]: \(parameterCount) parameters; optimizer \(job.optimizer.kind.rawValue) lr \(job.optimizer.learningRate); global batch \(job.batch) over \(job.workers) schedule worker\(job.workers == 1 ? "" : "s")")
        line("data \(split.train.name): \(split.train.count) train / \(split.test.count) test examples, \(split.train.classCount) classes; \(split.description)")
        line("\(stepsPerEpoch) steps per epoch, \(totalSteps) steps in all")
    }

    func stepDone(epoch: Int, step: Int, of steps: Int, loss: Double, examples: Int, since start: UInt64) {
        guard live else { return }
        let now = Clock.now
        guard now &- lastDraw > 200_000_000 || step == steps else { return }
        lastDraw = now
        let elapsed = Clock.seconds(since: start)
        let rate = Double(examples) / max(elapsed, 1e-9)
        let eta = elapsed / Double(step) * Double(steps - step)
        let text = String(format: "\r%@epoch %d  step %d/%d  loss %.4f  %.0f samples/s  ETA %.0f s   ",
                          prefix, epoch + 1, step, steps, loss, rate, eta)
        FileHandle.standardError.write(Data(text.utf8))
        drewLive = true
    }

    public func epochDone(epoch: Int, of epochs: Int, trainLoss: Double, testLoss: Double,
                          testAccuracy: Double, samplesPerSecond: Double, seconds: Double) {
        line(String(format: "epoch %d/%d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.0f samples/s  %.1f s",
                    epoch, epochs, trainLoss, testLoss, testAccuracy * 100, samplesPerSecond, seconds))
    }

    private func clearLive() {
        guard drewLive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drewLive = false
    }
}
