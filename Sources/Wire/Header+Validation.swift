/// The receive-side checks, in the order that gives the most useful reason: size first
/// (cheapest, and bounds everything after), then the header, then frames against the
/// header, then key ranges, then the payload's contents.
extension ValidationPolicy {
    /// Validates a received multipart message. `identityParts` is 1 for ROUTER sockets
    /// (part 0 is the sender's routing identity) and 0 otherwise.
    public func validate(_ parts: Multipart, identityParts: Int) -> Result<InboundMessage, Rejection> {
        let identity: [UInt8]? = identityParts > 0 ? Array(parts.part(0)) : nil
        func reject(_ r: RejectionReason, _ d: String, _ h: Header? = nil) -> Result<InboundMessage, Rejection> {
            .failure(Rejection(reason: r, detail: d, header: h, identity: identity))
        }
        if parts.totalBytes > maxMessageBytes {
            return reject(.messageTooLarge, "message of \(parts.totalBytes) bytes exceeds the limit of \(maxMessageBytes)")
        }
        guard parts.count > identityParts else {
            return reject(.undecodableHeader, "message has no header frame")
        }
        let header: Header
        do {
            header = try Header.decode(parts.part(identityParts), expectedVersion: protocolVersion)
        } catch {
            return reject(error.reason, error.detail)
        }
        if let kinds = acceptedKinds, !kinds.contains(header.kind) {
            return reject(.unexpectedKind, "this receiver does not handle \(header.kind)", header)
        }
        if let job = jobID, header.jobID != job {
            return reject(.jobIDMismatch, "expected job \(job), got \(header.jobID)", header)
        }
        let dataParts = parts.count - identityParts - 1
        if parts.droppedParts > 0 || dataParts != header.frames.count {
            return reject(.frameCountMismatch,
                          "header declares \(header.frames.count) data frame(s), \(dataParts + parts.droppedParts) arrived",
                          header)
        }
        for (i, spec) in header.frames.enumerated() {
            let n = parts.part(identityParts + 1 + i).count
            if n != spec.byteCount {
                return reject(.frameLengthMismatch,
                              "frame \(i) declared \(spec.byteCount) bytes, \(n) arrived", header)
            }
            if n % spec.dtype.elementSize != 0 {
                return reject(.misalignedFrameLength,
                              "frame \(i) is \(spec.dtype) but \(n) bytes is not a multiple of \(spec.dtype.elementSize)",
                              header)
            }
        }
        if header.kind.carriesKeyRange {
            if header.keyLo > header.keyHi {
                return reject(.malformedHeader, "key range [\(header.keyLo), \(header.keyHi)) is inverted", header)
            }
            if let n = parameterCount, header.keyHi > n {
                return reject(.keyRangeOutsideModel,
                              "key range [\(header.keyLo), \(header.keyHi)) is outside the model's [0, \(n))", header)
            }
            if let owned = ownedRange,
               header.keyLo < owned.lowerBound || header.keyHi > owned.upperBound {
                return reject(.keyRangeNotOwned,
                              "key range [\(header.keyLo), \(header.keyHi)) is not inside this receiver's [\(owned.lowerBound), \(owned.upperBound))",
                              header)
            }
        }
        if header.kind.carriesRangePayload {
            let floats = header.keyHi - header.keyLo
            guard header.frames.count == 1, header.frames[0].dtype == .f32,
                  header.frames[0].byteCount == floats * 4 else {
                let got = header.frames.map { "\($0.dtype) \($0.byteCount) B" }.joined(separator: ", ")
                return reject(.payloadDoesNotMatchKeyRange,
                              "\(header.kind) of [\(header.keyLo), \(header.keyHi)) needs one f32 frame of \(floats * 4) bytes, got [\(got)]",
                              header)
            }
        }
        if header.kind == .push && checkGradientsFinite {
            for (i, spec) in header.frames.enumerated() where spec.dtype == .f32 {
                if !FiniteCheck.allFinite(parts.part(identityParts + 1 + i)) {
                    return reject(.nonFiniteGradient, "gradient frame \(i) contains NaN or Inf", header)
                }
            }
        }
        return .success(InboundMessage(header: header, identity: identity, parts: parts,
                                       firstDataPart: identityParts + 1))
    }
}

/// The NaN/Inf scan of pushed gradients. A float is non-finite exactly when its exponent
/// bits are all ones, so the scan counts words whose masked exponent equals the mask:
/// branch-free, vectorisable, and safe on frames that ZeroMQ delivers at addresses that
/// are not 4-byte aligned (loads are unaligned integer loads, never a `Float` rebinding).
enum FiniteCheck {
    static func allFinite(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count / 4
        let mask: UInt32 = 0x7F80_0000
        var bad: UInt32 = 0
        var i = 0
        // Blocks of 1024 floats: early exit per block keeps the inner loop branch-free.
        while i < n {
            let end = min(n, i + 1024)
            var j = i
            while j < end {
                let w = base.loadUnaligned(fromByteOffset: j &* 4, as: UInt32.self)
                bad |= ((w & mask) == mask) ? 1 : 0
                j &+= 1
            }
            if bad != 0 { return false }
            i = end
        }
        return true
    }
}
