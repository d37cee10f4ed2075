#if canImport(Glibc)
import Glibc
#endif

/// Works out which address peers should use to reach this process.
///
/// A server advertises the address of the interface that routes to the coordinator: in a
/// container, a network namespace or on a multi-homed host that is the address the other
/// roles can reach, whereas `gethostname()` may resolve to loopback. Connecting a UDP socket
/// sends nothing; it only asks the kernel to pick the route.
public enum LocalAddress {
    public static func routing(toHost host: String) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, "9", &hints, &result) == 0, let info = result else { return nil }
        defer { freeaddrinfo(result) }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { return nil }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &local.sin_addr, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "tcp://host:port" → "host" (IPv6 literals in brackets keep their brackets off).
    public static func host(ofEndpoint endpoint: String) -> String? {
        guard let schemeEnd = endpoint.range(of: "://") else { return nil }
        let rest = endpoint[schemeEnd.upperBound...]
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        guard let colon = rest.lastIndex(of: ":") else { return String(rest) }
        return String(rest[..<colon])
    }

    /// "tcp://host:port" → port.
    public static func port(ofEndpoint endpoint: String) -> Int? {
        guard let colon = endpoint.lastIndex(of: ":") else { return nil }
        return Int(endpoint[endpoint.index(after: colon)...])
    }
}
