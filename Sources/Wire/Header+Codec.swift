import CSwiftPSProto
import Foundation

// The ONE place that touches protobuf-c generated types: Swift values in, bytes out, and
// back. Rules kept here: every C message is `__init()`ed before it is filled; `__unpack`
// returning NULL is a rejected message, never a crash; every unpacked message is freed
// with `__free_unpacked` on every path; numbers from the network are converted with
// checks, never with trapping initialisers.

// MARK: - Encoding

/// Owns the C memory behind a header being encoded (strings, nested messages, arrays),
/// freed in one go once the header is packed.
private final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    func string(_ s: String) -> UnsafeMutablePointer<CChar>? {
        guard let p = strdup(s) else { return nil }
        blocks.append(UnsafeMutableRawPointer(p))
        return p
    }

    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<T>.stride,
                                                   alignment: MemoryLayout<T>.alignment)
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    deinit { for b in blocks { b.deallocate() } }
}

private func u64(_ v: Int, _ field: String) throws(WireError) -> UInt64 {
    guard v >= 0 else { throw WireError(.invalidArgument, "\(field) must be ≥ 0, got \(v)") }
    return UInt64(v)
}

private func u32(_ v: Int, _ field: String) throws(WireError) -> UInt32 {
    guard let x = UInt32(exactly: v) else {
        throw WireError(.invalidArgument, "\(field) must be in 0...\(UInt32.max), got \(v)")
    }
    return x
}

extension Role {
    var cValue: Swiftps__Role {
        switch self {
        case .coordinator: SWIFTPS__ROLE__ROLE_COORDINATOR
        case .server: SWIFTPS__ROLE__ROLE_SERVER
        case .worker: SWIFTPS__ROLE__ROLE_WORKER
        }
    }

    init?(c: Swiftps__Role) {
        switch c {
        case SWIFTPS__ROLE__ROLE_COORDINATOR: self = .coordinator
        case SWIFTPS__ROLE__ROLE_SERVER: self = .server
        case SWIFTPS__ROLE__ROLE_WORKER: self = .worker
        default: return nil
        }
    }
}

extension MessageKind {
    var cValue: Swiftps__Kind {
        switch self {
        case .register: SWIFTPS__KIND__KIND_REGISTER
        case .registerAck: SWIFTPS__KIND__KIND_REGISTER_ACK
        case .dataChunk: SWIFTPS__KIND__KIND_DATA_CHUNK
        case .push: SWIFTPS__KIND__KIND_PUSH
        case .pushAck: SWIFTPS__KIND__KIND_PUSH_ACK
        case .pull: SWIFTPS__KIND__KIND_PULL
        case .weights: SWIFTPS__KIND__KIND_WEIGHTS
        case .heartbeat: SWIFTPS__KIND__KIND_HEARTBEAT
        case .progress: SWIFTPS__KIND__KIND_PROGRESS
        case .evaluate: SWIFTPS__KIND__KIND_EVALUATE
        case .shutdown: SWIFTPS__KIND__KIND_SHUTDOWN
        case .error: SWIFTPS__KIND__KIND_ERROR
        }
    }

    init?(c: Swiftps__Kind) {
        guard let k = MessageKind.allCases.first(where: { $0.cValue == c }) else { return nil }
        self = k
    }
}

extension DType {
    var cValue: Swiftps__DType {
        switch self {
        case .f32: SWIFTPS__DTYPE__DTYPE_F32
        case .u8: SWIFTPS__DTYPE__DTYPE_U8
        case .i32: SWIFTPS__DTYPE__DTYPE_I32
        }
    }

    init?(c: Swiftps__DType) {
        switch c {
        case SWIFTPS__DTYPE__DTYPE_F32: self = .f32
        case SWIFTPS__DTYPE__DTYPE_U8: self = .u8
        case SWIFTPS__DTYPE__DTYPE_I32: self = .i32
        default: return nil
        }
    }
}

extension Header {
    /// Encodes into a ZeroMQ message sized exactly for it (no intermediate buffer).
    /// Throws `.invalidArgument` for values the wire cannot carry (negative counts,
    /// ranks beyond UInt32).
    public func encodedMessage() throws(WireError) -> Message {
        let arena = CArena()
        var h = Swiftps__Header()
        swiftps__header__init(&h)
        try fill(&h, arena)
        let size = swiftps__header__get_packed_size(&h)
        let m = try Message(size: size)
        if let out = m.mutableBytes.baseAddress {
            let written = swiftps__header__pack(&h, out.assumingMemoryBound(to: UInt8.self))
            guard written == size else {
                throw WireError(.encodingFailed, "protobuf-c packed \(written) bytes, expected \(size)")
            }
        }
        return m
    }

    /// The encoded header as bytes (tests and tools; sending uses `encodedMessage()`).
    public func encoded() throws(WireError) -> [UInt8] {
        let m = try encodedMessage()
        return Array(m.bytes)
    }

    private func fill(_ h: inout Swiftps__Header, _ arena: CArena) throws(WireError) {
        h.protocol_version = protocolVersion
        h.job_id = jobID
        h.role = role.cValue
        h.rank = try u32(rank, "rank")
        h.kind = kind.cValue
        h.step = try u64(step, "step")
        h.key_lo = try u64(keyLo, "keyLo")
        h.key_hi = try u64(keyHi, "keyHi")
        h.version = try u64(version, "version")
        h.example_count = try u64(exampleCount, "exampleCount")
        h.chunk_index = try u32(chunkIndex, "chunkIndex")
        h.chunk_count = try u32(chunkCount, "chunkCount")
        h.first_example = try u64(firstExample, "firstExample")
        if !endpoint.isEmpty { h.endpoint = arena.string(endpoint) }
        if !publishEndpoint.isEmpty { h.publish_endpoint = arena.string(publishEndpoint) }
        if !text.isEmpty { h.text = arena.string(text) }
        h.loss = loss
        h.accuracy = accuracy
        h.examples_per_second = examplesPerSecond
        h.reply_with_weights = replyWithWeights ? 1 : 0
        if let job {
            let j = arena.allocate(Swiftps__JobSpec.self, count: 1)
            swiftps__job_spec__init(j)
            try job.fill(j, arena)
            h.job = j
        }
        if !frames.isEmpty {
            let specs = arena.allocate(Swiftps__FrameSpec.self, count: frames.count)
            let list = arena.allocate(UnsafeMutablePointer<Swiftps__FrameSpec>?.self, count: frames.count)
            for (i, f) in frames.enumerated() {
                swiftps__frame_spec__init(specs + i)
                specs[i].dtype = f.dtype.cValue
                specs[i].byte_length = try u64(f.byteCount, "frames[\(i)].byteCount")
                list[i] = specs + i
            }
            h.n_frames = frames.count
            h.frames = list
        }
    }
}

extension JobSpec {
    fileprivate func fill(_ j: UnsafeMutablePointer<Swiftps__JobSpec>, _ arena: CArena) throws(WireError) {
        j.pointee.rank = try u32(rank, "job.rank")
        if !modelSpec.isEmpty { j.pointee.model_spec = arena.string(modelSpec) }
        if !inputShape.isEmpty {
            let dims = arena.allocate(UInt32.self, count: inputShape.count)
            for (i, d) in inputShape.enumerated() { dims[i] = try u32(d, "job.inputShape[\(i)]") }
            j.pointee.n_input_shape = inputShape.count
            j.pointee.input_shape = dims
        }
        j.pointee.class_count = try u32(classCount, "job.classCount")
        if !optimizer.isEmpty { j.pointee.optimizer = arena.string(optimizer) }
        j.pointee.learning_rate = learningRate
        j.pointee.momentum = momentum
        j.pointee.beta1 = beta1
        j.pointee.beta2 = beta2
        j.pointee.epsilon = epsilon
        j.pointee.weight_decay = weightDecay
        j.pointee.global_batch = try u32(globalBatch, "job.globalBatch")
        j.pointee.seed = seed
        j.pointee.workers = try u32(workers, "job.workers")
        j.pointee.servers = try u32(servers, "job.servers")
        j.pointee.epochs = try u32(epochs, "job.epochs")
        j.pointee.total_steps = try u64(totalSteps, "job.totalSteps")
        j.pointee.steps_per_epoch = try u64(stepsPerEpoch, "job.stepsPerEpoch")
        if !mode.isEmpty { j.pointee.mode = arena.string(mode) }
        j.pointee.staleness = try u32(staleness, "job.staleness")
        j.pointee.parameter_count = try u64(parameterCount, "job.parameterCount")
        j.pointee.blas_threads = try u32(blasThreads, "job.blasThreads")
        j.pointee.shard_example_count = try u64(shardExampleCount, "job.shardExampleCount")
        j.pointee.train_example_count = try u64(trainExampleCount, "job.trainExampleCount")
        if !shards.isEmpty {
            let infos = arena.allocate(Swiftps__ShardInfo.self, count: shards.count)
            let list = arena.allocate(UnsafeMutablePointer<Swiftps__ShardInfo>?.self, count: shards.count)
            for (i, s) in shards.enumerated() {
                let p = infos + i
                swiftps__shard_info__init(p)
                p.pointee.rank = try u32(s.rank, "job.shards[\(i)].rank")
                p.pointee.key_lo = try u64(s.keyLo, "job.shards[\(i)].keyLo")
                p.pointee.key_hi = try u64(s.keyHi, "job.shards[\(i)].keyHi")
                if !s.routerEndpoint.isEmpty { p.pointee.router_endpoint = arena.string(s.routerEndpoint) }
                if !s.publishEndpoint.isEmpty { p.pointee.publish_endpoint = arena.string(s.publishEndpoint) }
                list[i] = p
            }
            j.pointee.n_shards = shards.count
            j.pointee.shards = list
        }
    }
}

// MARK: - Decoding

/// Why decoding failed, with the field at fault (feeds `Rejection.detail`).
struct DecodeFailure: Error {
    let reason: RejectionReason
    let detail: String
}

private func int(_ v: UInt64, _ field: String) throws(DecodeFailure) -> Int {
    guard let x = Int(exactly: v) else {
        throw DecodeFailure(reason: .malformedHeader, detail: "\(field) = \(v) exceeds \(Int.max)")
    }
    return x
}

private func cString(_ p: UnsafeMutablePointer<CChar>?) -> String {
    guard let p else { return "" }
    // Repairs invalid UTF-8 instead of failing: text fields are informational.
    return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
}

extension Header {
    /// Decodes frame 0. Version is checked before kind, so a future peer with new kinds is
    /// reported as a version mismatch rather than as garbage.
    static func decode(_ bytes: UnsafeRawBufferPointer,
                       expectedVersion: UInt32) throws(DecodeFailure) -> Header {
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let empty: UInt8 = 0
        let decoded: UnsafeMutablePointer<Swiftps__Header>? = withUnsafePointer(to: empty) { e in
            swiftps__header__unpack(nil, bytes.count, base ?? e)
        }
        guard let p = decoded else {
            throw DecodeFailure(reason: .undecodableHeader,
                                detail: "\(bytes.count)-byte frame 0 is not a protobuf Header")
        }
        defer { swiftps__header__free_unpacked(p, nil) }
        let c = p.pointee
        guard c.protocol_version == expectedVersion else {
            throw DecodeFailure(reason: .protocolVersionMismatch,
                                detail: "expected protocol version \(expectedVersion), got \(c.protocol_version)")
        }
        guard let kind = MessageKind(c: c.kind) else {
            throw DecodeFailure(reason: .unknownKind, detail: "kind \(c.kind.rawValue) is not a known message kind")
        }
        guard let role = Role(c: c.role) else {
            throw DecodeFailure(reason: .malformedHeader, detail: "role \(c.role.rawValue) is not a known role")
        }
        var h = Header(kind: kind, role: role, rank: Int(c.rank), jobID: c.job_id)
        h.protocolVersion = c.protocol_version
        h.step = try int(c.step, "step")
        h.keyLo = try int(c.key_lo, "keyLo")
        h.keyHi = try int(c.key_hi, "keyHi")
        h.version = try int(c.version, "version")
        h.exampleCount = try int(c.example_count, "exampleCount")
        h.chunkIndex = Int(c.chunk_index)
        h.chunkCount = Int(c.chunk_count)
        h.firstExample = try int(c.first_example, "firstExample")
        h.endpoint = cString(c.endpoint)
        h.publishEndpoint = cString(c.publish_endpoint)
        h.text = cString(c.text)
        h.loss = c.loss
        h.accuracy = c.accuracy
        h.examplesPerSecond = c.examples_per_second
        h.replyWithWeights = c.reply_with_weights != 0
        if let j = c.job { h.job = try JobSpec(c: j.pointee) }
        if c.n_frames > 0, let list = c.frames {
            var frames: [FrameSpec] = []
            frames.reserveCapacity(c.n_frames)
            for i in 0..<c.n_frames {
                guard let f = list[i] else {
                    throw DecodeFailure(reason: .malformedHeader, detail: "frames[\(i)] missing")
                }
                guard let dtype = DType(c: f.pointee.dtype) else {
                    throw DecodeFailure(reason: .malformedHeader,
                                        detail: "frames[\(i)].dtype \(f.pointee.dtype.rawValue) is not f32/u8/i32")
                }
                frames.append(FrameSpec(dtype: dtype, byteCount: try int(f.pointee.byte_length, "frames[\(i)].byteLength")))
            }
            h.frames = frames
        }
        return h
    }

    /// Decodes a header outside a socket (tools, tests). Returns nil for bytes that are
    /// not a valid header of this protocol version.
    public static func decode(_ bytes: [UInt8]) -> Header? {
        bytes.withUnsafeBytes { raw in
            do {
                return try Header.decode(raw, expectedVersion: Header.currentProtocolVersion)
            } catch {
                return nil
            }
        }
    }
}

extension JobSpec {
    fileprivate init(c: Swiftps__JobSpec) throws(DecodeFailure) {
        var shape: [Int] = []
        if c.n_input_shape > 0, let dims = c.input_shape {
            shape = (0..<c.n_input_shape).map { Int(dims[$0]) }
        }
        var shards: [ShardInfo] = []
        if c.n_shards > 0, let list = c.shards {
            for i in 0..<c.n_shards {
                guard let s = list[i] else {
                    throw DecodeFailure(reason: .malformedHeader, detail: "job.shards[\(i)] missing")
                }
                shards.append(ShardInfo(rank: Int(s.pointee.rank),
                                        keyLo: try int(s.pointee.key_lo, "job.shards[\(i)].keyLo"),
                                        keyHi: try int(s.pointee.key_hi, "job.shards[\(i)].keyHi"),
                                        routerEndpoint: cString(s.pointee.router_endpoint),
                                        publishEndpoint: cString(s.pointee.publish_endpoint)))
            }
        }
        self.init(rank: Int(c.rank), modelSpec: cString(c.model_spec), inputShape: shape,
                  classCount: Int(c.class_count), optimizer: cString(c.optimizer),
                  learningRate: c.learning_rate, momentum: c.momentum, beta1: c.beta1,
                  beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weight_decay,
                  globalBatch: Int(c.global_batch), seed: c.seed, workers: Int(c.workers),
                  servers: Int(c.servers), epochs: Int(c.epochs),
                  totalSteps: try int(c.total_steps, "job.totalSteps"),
                  stepsPerEpoch: try int(c.steps_per_epoch, "job.stepsPerEpoch"),
                  mode: cString(c.mode), staleness: Int(c.staleness),
                  parameterCount: try int(c.parameter_count, "job.parameterCount"),
                  blasThreads: Int(c.blas_threads), shards: shards,
                  shardExampleCount: try int(c.shard_example_count, "job.shardExampleCount"),
                  trainExampleCount: try int(c.train_example_count, "job.trainExampleCount"))
    }
}
