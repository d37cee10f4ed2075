/// A sequential stack of layers, e.g. `conv(32,3) relu maxpool(2) flatten dense(64) relu dense(10)`.
///
/// The text form is what users type on the command line and what the coordinator ships to
/// workers, so parsing is strict: every token must be a known layer with valid arguments, and
/// an error names the offending token. `description` is canonical and parses back to an equal
/// spec (round-trip is tested).
///
/// Grammar: layers separated by whitespace (commas or `->` between layers are also accepted);
/// a layer is `name` or `name(arg, arg, …)`; spaces inside parentheses are allowed; names are
/// case-insensitive. Names: `dense(N)` (alias `linear`), `conv(F,K)` / `conv(F,K,valid|same)`
/// (alias `conv2d`), `maxpool(P)` (aliases `maxpool2d`, `pool`), `relu`, `flatten`.
public struct ModelSpec: Equatable, Sendable, CustomStringConvertible {
    public var layers: [LayerSpec]

    public init(layers: [LayerSpec]) {
        self.layers = layers
    }

    public init(parsing text: String) throws {
        let tokens = try Self.tokenize(text)
        guard !tokens.isEmpty else {
            throw ModelSpecError(code: .emptySpec, token: nil,
                                 detail: "model spec \"\(text)\" has no layers; expected e.g. \"flatten dense(10)\"")
        }
        layers = try tokens.enumerated().map { index, token in
            try Self.parseLayer(token, position: index + 1, in: text)
        }
    }

    public var description: String {
        layers.map(\.description).joined(separator: " ")
    }

    private static let expected =
        "expected one of dense(N), conv(F,K), conv(F,K,same), conv(F,K,valid), maxpool(P), relu, flatten"

    /// Splits on whitespace, `,` and `->` outside parentheses; keeps `name(args)` whole.
    private static func tokenize(_ text: String) throws -> [String] {
        var tokens: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if depth == 0 && (ch.isWhitespace || ch == "," || (ch == ">" && current.last == "-")) {
                if ch == ">" { current.removeLast() }
                if !current.isEmpty { tokens.append(current) }
                current = ""
            } else if ch == "(" {
                guard depth == 0 else {
                    throw ModelSpecError(code: .malformedToken, token: current + "(",
                                         detail: "nested '(' in \"\(current)(\" of model spec \"\(text)\"")
                }
                depth = 1
                current.append(ch)
            } else if ch == ")" {
                guard depth == 1 else {
                    throw ModelSpecError(code: .malformedToken, token: current + ")",
                                         detail: "unmatched ')' in \"\(current))\" of model spec \"\(text)\"")
                }
                depth = 0
                current.append(ch)
                tokens.append(current)
                current = ""
            } else if depth == 1 && ch.isWhitespace {
                // spaces inside parentheses are insignificant
            } else {
                current.append(ch)
            }
        }
        guard depth == 0 else {
            throw ModelSpecError(code: .malformedToken, token: current,
                                 detail: "missing ')' in \"\(current)\" of model spec \"\(text)\"")
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    private static func parseLayer(_ token: String, position: Int, in text: String) throws -> LayerSpec {
        let name: Substring
        var args: [Substring] = []
        if let open = token.firstIndex(of: "(") {
            guard token.last == ")" else {
                throw ModelSpecError(code: .malformedToken, token: token,
                                     detail: "layer \(position) \"\(token)\" has text after ')' in model spec \"\(text)\"")
            }
            name = token[..<open]
            let inner = token[token.index(after: open)..<token.index(before: token.endIndex)]
            args = inner.split(separator: ",", omittingEmptySubsequences: false)
        } else {
            name = Substring(token)
        }
        func fail(_ why: String) -> ModelSpecError {
            ModelSpecError(code: .badArguments, token: token,
                           detail: "layer \(position) \"\(token)\" in model spec \"\(text)\": \(why)")
        }
        func positive(_ s: Substring, _ what: String) throws -> Int {
            guard let v = Int(s), v > 0 else { throw fail("\(what) must be a positive integer, got \"\(s)\"") }
            guard v <= 1 << 24 else { throw fail("\(what) \(v) is unreasonably large") }
            return v
        }
        switch name.lowercased() {
        case "dense", "linear":
            guard args.count == 1 else { throw fail("expected dense(N), e.g. dense(10)") }
            return .dense(units: try positive(args[0], "units"))
        case "conv", "conv2d":
            guard args.count == 2 || args.count == 3 else {
                throw fail("expected conv(filters,kernel) or conv(filters,kernel,same|valid)")
            }
            let filters = try positive(args[0], "filters")
            let kernel = try positive(args[1], "kernel size")
            var padding = Padding.valid
            if args.count == 3 {
                guard let p = Padding(rawValue: args[2].lowercased()) else {
                    throw fail("padding must be 'valid' or 'same', got \"\(args[2])\"")
                }
                padding = p
            }
            return .conv(filters: filters, kernel: kernel, padding: padding)
        case "maxpool", "maxpool2d", "pool":
            guard args.count == 1 else { throw fail("expected maxpool(P), e.g. maxpool(2)") }
            return .maxPool(size: try positive(args[0], "pool size"))
        case "relu":
            guard args.isEmpty, !token.contains("(") else { throw fail("relu takes no arguments") }
            return .relu
        case "flatten":
            guard args.isEmpty, !token.contains("(") else { throw fail("flatten takes no arguments") }
            return .flatten
        default:
            throw ModelSpecError(code: .unknownLayer, token: token,
                                 detail: "unknown layer \"\(token)\" (layer \(position)) in model spec \"\(text)\"; \(expected)")
        }
    }
}
