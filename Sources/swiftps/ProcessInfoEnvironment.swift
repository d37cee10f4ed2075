import Foundation

/// Environment look-ups used for flag defaults (compose files configure roles through env).
enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func int(_ name: String) -> Int? {
        value(name).flatMap { Int($0) }
    }
}
