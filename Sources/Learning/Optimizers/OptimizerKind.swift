/// The optimizers a job can name (`--optimizer`). Each has its own file stating its formula.
public enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, momentum, nesterov, adam, adamw, adagrad
}
