/// Why a model spec, its shapes or its class count were rejected.
///
/// A struct over a code enum (as swift-nio does) so cases can grow without breaking callers.
/// `description` is the message for a user: it names the offending token and what was expected.
public struct ModelSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Equatable, Sendable {
        /// The spec has no layers.
        case emptySpec
        /// A token is not a known layer name.
        case unknownLayer
        /// A known layer has missing, extra or invalid arguments.
        case badArguments
        /// A `(` without a matching `)`, or a stray character.
        case malformedToken
        /// A layer cannot be applied to the shape produced by the layers before it.
        case incompatibleShape
        /// The final layer's width differs from the data set's class count.
        case classCountMismatch
        /// The input sample shape, class count or batch is not usable.
        case invalidShape
    }

    public let code: Code
    /// The offending token as written (or the value at fault), when there is one.
    public let token: String?
    public let detail: String

    public init(code: Code, token: String?, detail: String) {
        self.code = code
        self.token = token
        self.detail = detail
    }

    public var description: String { detail }
}
