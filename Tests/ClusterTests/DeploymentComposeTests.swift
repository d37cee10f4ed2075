import Foundation
import XCTest

/// CI checks of the deployment files: the compose file is valid, the image's runtime stage
/// provides every shared library the binary links, and the Kubernetes counts agree.
final class DeploymentComposeTests: XCTestCase {
    private var root: URL { SwiftPSBinary.packageRoot }

    /// Runs a host tool found on PATH; nil when it is not installed.
    private func tool(_ name: String, _ args: [String], cwd: URL? = nil,
                      timeout: TimeInterval = 120) throws -> SwiftPSBinary.Result? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) {
                if let cwd {
                    // Run through sh so the working directory is the package root.
                    let quoted = ([url.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
                    return try SwiftPSBinary.runProcess(URL(fileURLWithPath: "/bin/sh"),
                                                        ["-c", "cd '\(cwd.path)' && exec " + quoted.joined(separator: " ")],
                                                        timeout: timeout)
                }
                return try SwiftPSBinary.runProcess(url, args, timeout: timeout)
            }
        }
        return nil
    }

    func testComposeFileIsValid() throws {
        let compose = root.appendingPathComponent("docker-compose.yml")
        guard let r = try tool("docker-compose", ["-f", compose.path, "config", "-q"], cwd: root) else {
            return XCTFail("""
                docker-compose is not installed, so docker-compose.yml cannot be validated. \
                Install it with `apt-get install docker-compose` (Debian) — the test setup \
                (scripts/setup) should install it; this test installs nothing itself.
                """)
        }
        XCTAssertEqual(r.status, 0, "docker-compose config -q rejected docker-compose.yml:\n\(r.stdout)\(r.stderr)")
    }

    func testComposeScalesFromTheJobSizeVariables() throws {
        let compose = root.appendingPathComponent("docker-compose.yml")
        let helper = root.appendingPathComponent("cluster/netns/compose_command.py")
        func query(_ service: String, _ what: String, _ env: [String: String]) throws -> String {
            let r = try SwiftPSBinary.runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                                 ["python3", helper.path, compose.path, service, what],
                                                 environment: env, timeout: 60)
            XCTAssertEqual(r.status, 0, "compose_command.py \(service) \(what) failed: \(r.stderr)")
            return r.stdout.replacingOccurrences(of: "\0", with: "\n")
        }
        // Defaults: the coordinator expects exactly the replica counts the file starts.
        let unset = ["SWIFTPS_WORKERS": "", "SWIFTPS_SERVERS": ""]
        XCTAssertEqual(try query("worker", "replicas", unset).trimmingCharacters(in: .whitespacesAndNewlines), "2")
        XCTAssertEqual(try query("server", "replicas", unset).trimmingCharacters(in: .whitespacesAndNewlines), "1")
        let env0 = try query("coordinator", "env", unset)
        XCTAssertTrue(env0.contains("SWIFTPS_WORKERS=2\n") && env0.contains("SWIFTPS_SERVERS=1\n"), env0)
        // Scaled: the same variables drive both sides.
        let big = ["SWIFTPS_WORKERS": "8", "SWIFTPS_SERVERS": "3"]
        XCTAssertEqual(try query("worker", "replicas", big).trimmingCharacters(in: .whitespacesAndNewlines), "8")
        XCTAssertEqual(try query("server", "replicas", big).trimmingCharacters(in: .whitespacesAndNewlines), "3")
        let env1 = try query("coordinator", "env", big)
        XCTAssertTrue(env1.contains("SWIFTPS_WORKERS=8\n") && env1.contains("SWIFTPS_SERVERS=3\n"), env1)
        // Replicas need no per-replica config: servers and workers reach the coordinator by name.
        XCTAssertEqual(try query("worker", "argv", [:]),
                       "worker\n--coordinator\ntcp://coordinator:5555\n--blas-threads\n1\n")
        XCTAssertEqual(try query("server", "argv", [:]),
                       "server\n--coordinator\ntcp://coordinator:5555\n--bind\ntcp://*:5556\n--publish-bind\ntcp://*:5557\n")
    }

    /// The runtime stage's `apt-get install` line (the last one in the Dockerfile).
    private func runtimePackages() throws -> (named: Set<String>, dockerfile: String) {
        let text = try String(contentsOf: root.appendingPathComponent("cluster/Dockerfile"), encoding: .utf8)
        // Join continuation lines, then take the runtime stage (after the last FROM).
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        let stages = joined.components(separatedBy: "\nFROM ")
        let runtime = try XCTUnwrap(stages.last)
        var named = Set<String>()
        for line in runtime.split(separator: "\n") where line.contains("apt-get") && line.contains("install") {
            guard let range = line.range(of: "install") else { continue }
            for word in line[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if word == "&&" || word == ";" { break }
                if !word.hasPrefix("-") { named.insert(String(word)) }
            }
        }
        return (named, text)
    }

    private func sh(_ command: String) throws -> SwiftPSBinary.Result {
        try SwiftPSBinary.runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command], timeout: 120)
    }

    /// dpkg package owning a library path, trying both sides of the /usr merge.
    private func owner(of path: String) throws -> String? {
        var candidates = [path]
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        candidates.append(real)
        for p in [path, real] {
            if p.hasPrefix("/usr/lib/") { candidates.append(String(p.dropFirst(4))) }
            else if p.hasPrefix("/lib/") { candidates.append("/usr" + p) }
        }
        for c in candidates {
            let r = try sh("dpkg -S '\(c)' 2>/dev/null")
            if r.status == 0, let first = r.stdout.split(separator: "\n").first,
               let pkg = first.split(separator: ":").first {
                return String(pkg).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private func directDependencies(of package: String) throws -> Set<String> {
        let r = try sh("dpkg-query -W -f='${Depends}, ${Pre-Depends}' '\(package)' 2>/dev/null")
        guard r.status == 0 else { return [] }
        return Set(r.stdout.split(whereSeparator: { $0 == "," || $0 == "|" }).compactMap { alt in
            alt.trimmingCharacters(in: .whitespaces).split(separator: " ").first
                .flatMap { $0.split(separator: ":").first }.map(String.init)
        })
    }

    /// Installed packages a package depends on (Depends/Pre-Depends, all alternatives), recursively.
    private func dependencyClosure(_ roots: Set<String>) throws -> Set<String> {
        var seen = Set<String>(), queue = Array(roots)
        while let p = queue.popLast() {
            guard seen.insert(p).inserted else { continue }
            queue += try directDependencies(of: p).filter { !seen.contains($0) }
        }
        return seen
    }

    func testRuntimeStageProvidesEveryLinkedLibrary() throws {
        let binary = SwiftPSBinary.url
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("no swiftps binary at \(binary.path) (build it first)")
        }
        let (named, dockerfile) = try runtimePackages()
        XCTAssertFalse(named.isEmpty, "found no apt-get install line in the runtime stage of cluster/Dockerfile")
        XCTAssertTrue(named.allSatisfy { !$0.hasSuffix("-dev") }, "runtime stage installs -dev packages: \(named.sorted())")
        XCTAssertTrue(dockerfile.contains("--static-swift-stdlib"),
                      "the image relies on a static Swift runtime; the build stage must pass --static-swift-stdlib")
        XCTAssertTrue(dockerfile.contains("FROM ${RUNTIME_IMAGE}") && dockerfile.contains("debian:bookworm-slim"))
        // In debian:bookworm-slim already (apt needs them): libc, libm, libstdc++, libgcc_s, the loader.
        let base: Set<String> = ["libc6", "libgcc-s1", "libstdc++6"]
        let provided = try dependencyClosure(named)

        let ldd = try sh("ldd '\(binary.path)'")
        XCTAssertEqual(ldd.status, 0, ldd.stderr)
        let direct = Set(try sh("readelf -d '\(binary.path)' | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p'")
            .stdout.split(separator: "\n").map(String.init))
        XCTAssertFalse(direct.isEmpty, "readelf found no NEEDED entries (is binutils installed?)")
        var checked = 0
        for line in ldd.stdout.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).components(separatedBy: " => ")
            guard parts.count == 2 else { continue }   // vdso, the loader itself
            let soname = parts[0]
            let path = String(parts[1].split(separator: " ").first ?? "")
            if path == "not" { XCTFail("ldd cannot resolve \(soname) on this machine"); continue }
            // The Swift runtime and Foundation come from the toolchain, not Debian; the image
            // links them statically. FoundationNetworking/XML would need libcurl4/libxml2.
            if path.contains("/usr/lib/swift/") || !path.hasPrefix("/") {
                XCTAssertFalse(soname.hasPrefix("libFoundationNetworking") && !named.contains("libcurl4"),
                               "swiftps links FoundationNetworking: add libcurl4 to the runtime stage or drop the import")
                XCTAssertFalse(soname.hasPrefix("libFoundationXML") && !named.contains("libxml2"),
                               "swiftps links FoundationXML: add libxml2 to the runtime stage or drop the import")
                continue
            }
            guard let pkg = try owner(of: path) else {
                XCTFail("\(soname) (\(path)) belongs to no Debian package; the runtime image cannot provide it")
                continue
            }
            checked += 1
            if base.contains(pkg) { continue }
            if direct.contains(soname) {
                // Linked directly: the runtime stage must name the package (or a package that
                // directly depends on it, e.g. the libopenblas0 metapackage for -pthread).
                let namedOrEquivalent = try named.contains(pkg) || named.contains { try directDependencies(of: $0).contains(pkg) }
                XCTAssertTrue(namedOrEquivalent,
                              "swiftps links \(soname) from package \(pkg), which the runtime stage of cluster/Dockerfile does not install (it installs \(named.sorted()))")
            } else {
                XCTAssertTrue(provided.contains(pkg),
                              "\(soname) (package \(pkg), needed indirectly) is not pulled in by the runtime packages \(named.sorted())")
            }
        }
        XCTAssertGreaterThan(checked, 3, "ldd listed suspiciously few Debian libraries:\n\(ldd.stdout)")
    }

    func testKubernetesReplicaCountsMatchJobSize() throws {
        let script = """
        import sys, yaml
        d = sys.argv[1]
        docs = []
        for f in ("job-size.yaml", "coordinator.yaml", "servers.yaml", "workers.yaml", "namespace.yaml"):
            docs += [x for x in yaml.safe_load_all(open(f"{d}/{f}")) if x]
        by = {(x["kind"], x["metadata"]["name"]): x for x in docs}
        size = by[("ConfigMap", "swiftps-job")]["data"]
        w, s = int(size["SWIFTPS_WORKERS"]), int(size["SWIFTPS_SERVERS"])
        wj = by[("Job", "worker")]["spec"]; ss = by[("StatefulSet", "server")]["spec"]
        assert wj["parallelism"] == w and wj["completions"] == w, f"worker Job {wj['parallelism']}/{wj['completions']} != SWIFTPS_WORKERS {w}"
        assert ss["replicas"] == s, f"server StatefulSet replicas {ss['replicas']} != SWIFTPS_SERVERS {s}"
        assert ss["serviceName"] == "server" and by[("Service", "server")]["spec"]["clusterIP"] == "None"
        assert by[("Service", "coordinator")]["spec"]["ports"][0]["port"] == 5555
        c = by[("Job", "coordinator")]["spec"]["template"]["spec"]["containers"][0]
        assert {"configMapRef": {"name": "swiftps-job"}} in c["envFrom"]
        for kind, name in (("StatefulSet", "server"), ("Job", "worker")):
            args = by[(kind, name)]["spec"]["template"]["spec"]["containers"][0]["args"]
            assert "tcp://coordinator:5555" in args, (kind, args)
        print("ok", w, s)
        """
        let r = try SwiftPSBinary.runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                             ["python3", "-c", script, root.appendingPathComponent("cluster/k8s").path],
                                             timeout: 60)
        XCTAssertEqual(r.status, 0, "cluster/k8s manifests disagree (needs python3-yaml):\n\(r.stdout)\(r.stderr)")
    }
}
