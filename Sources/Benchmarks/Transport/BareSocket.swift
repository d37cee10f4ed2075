import CZeroMQ

/// A raw libzmq socket for the bare baseline: exactly what a program using libzmq
/// directly would do, with none of Wire's framing, validation or ownership machinery.
final class BareSocket {
    let handle: UnsafeMutableRawPointer

    init(_ context: UnsafeMutableRawPointer, _ type: Int32, bufferBytes: Int?) throws {
        guard let h = zmq_socket(context, type) else { throw BenchError("zmq_socket: \(zmqError())") }
        handle = h
        setInt(ZMQ_LINGER, 0)
        setInt(ZMQ_RCVTIMEO, 10_000)   // a lost message fails the run instead of hanging it
        if let b = bufferBytes {
            setInt(ZMQ_SNDBUF, Int32(clamping: b))
            setInt(ZMQ_RCVBUF, Int32(clamping: b))
        }
    }

    func setInt(_ opt: Int32, _ value: Int32) {
        var v = value
        zmq_setsockopt(handle, opt, &v, 4)
    }

    func setBytes(_ opt: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { zmq_setsockopt(handle, opt, $0.baseAddress, $0.count) }
    }

    func bind(_ endpoint: String) throws -> String {
        guard zmq_bind(handle, endpoint) == 0 else { throw BenchError("bind \(endpoint): \(zmqError())") }
        var buf = [CChar](repeating: 0, count: 512)
        var len = buf.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buf, &len)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw BenchError("connect \(endpoint): \(zmqError())") }
    }

    /// zmq_send: copies the bytes into a new message (the ordinary libzmq call).
    func send(_ p: UnsafeRawPointer?, _ n: Int, more: Bool = false) throws {
        while zmq_send(handle, p, n, more ? ZMQ_SNDMORE : 0) < 0 {
            if swiftps_zmq_errno() == swiftps_zmq_eintr() { continue }
            throw BenchError("zmq_send: \(zmqError())")
        }
    }

    /// zmq_recv into the caller's buffer (copies); returns the message size.
    @discardableResult
    func receive(into p: UnsafeMutableRawPointer?, _ n: Int) throws -> Int {
        while true {
            let rc = zmq_recv(handle, p, n, 0)
            if rc >= 0 { return Int(rc) }
            if swiftps_zmq_errno() == swiftps_zmq_eintr() { continue }
            throw BenchError("zmq_recv: \(zmqError())")
        }
    }

    private var closed = false

    /// Closes once (LINGER 0 was set at creation, so this never waits for a peer).
    func close() {
        if closed { return }
        closed = true
        zmq_close(handle)
    }

    deinit { close() }
}

func zmqError() -> String { String(cString: zmq_strerror(swiftps_zmq_errno())) }
