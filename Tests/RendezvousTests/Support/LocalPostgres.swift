import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL cluster (Debian's `postgresql` package) in a temporary directory,
/// listening only on a Unix socket in that directory: `initdb`, then `postgres` as a child of
/// this process (posix_spawn), stopped with SIGQUIT and reaped with waitpid.
///
/// PostgreSQL refuses to run as root; as root the tools run as the `postgres` user (or
/// `nobody` when that user does not exist) through `setpriv`, which execs without forking, so
/// the child's pid is the postmaster itself.
struct LocalPostgres: Sendable {
    let directory: String
    let server: ChildProcess
    /// The libpq connection string for the cluster's superuser.
    var conninfo: String { "host=\(directory) port=5432 user=postgres dbname=postgres connect_timeout=5" }

    /// Why the cluster could not be started.
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates and starts a cluster, waiting (bounded) until it accepts connections.
    static func start() throws -> LocalPostgres {
        let bin = try binDirectory()
        let directory = try ChildProcess.temporaryDirectory(prefix: "peersync-pg")
        var prefix: [String] = []
        if getuid() == 0 {
            let (uid, gid, name) = try unprivilegedUser()
            guard chown(directory, uid, gid) == 0 else {
                throw SetupError(description: "chown \(directory) to \(name) failed: \(String(cString: strerror(errno)))")
            }
            prefix = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"]
        }
        let environment = ["PATH": "/usr/bin:/bin", "LANG": "C", "LC_ALL": "C", "TZ": "UTC"]
        do {
            try ChildProcess.run(prefix + ["\(bin)/initdb", "-D", "\(directory)/data", "-A", "trust", "-U", "postgres",
                                           "--no-sync", "-E", "UTF8", "--locale=C"],
                                 in: directory, environment: environment, seconds: 60)
            let server = try ChildProcess(
                prefix + ["\(bin)/postgres", "-D", "\(directory)/data", "-k", directory, "-p", "5432",
                          "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                          "-c", "full_page_writes=off", "-c", "max_connections=20"],
                environment: environment, logPath: "\(directory)/postgres.log")
            let cluster = LocalPostgres(directory: directory, server: server)
            try cluster.waitUntilReady()
            return cluster
        } catch {
            ChildProcess.removeTree(directory)
            throw error
        }
    }

    /// Stops the server (immediate shutdown) and removes the directory.
    func stop() {
        server.terminate(SIGQUIT)
        ChildProcess.removeTree(directory)
    }

    /// Polls with libpq's `PQping` (at most 30 s) until the server accepts connections.
    private func waitUntilReady() throws {
        for _ in 0..<3_000 {
            if PQping(conninfo) == PQPING_OK { return }
            if server.exitStatusIfExited() != nil {
                throw SetupError(description: "postgres exited during start-up:\n\(server.output())")
            }
            usleep(10_000)
        }
        server.terminate(SIGKILL)
        throw SetupError(description: "postgres did not accept connections within 30 s:\n\(server.output())")
    }

    /// `/usr/lib/postgresql/<newest>/bin`.
    private static func binDirectory() throws -> String {
        guard let dir = opendir("/usr/lib/postgresql") else {
            throw SetupError(description: "PostgreSQL is not installed (/usr/lib/postgresql): run contrib/setup.sh, which installs Debian's postgresql")
        }
        defer { closedir(dir) }
        var versions: [Int] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let version = Int(name) { versions.append(version) }
        }
        guard let newest = versions.max(), access("/usr/lib/postgresql/\(newest)/bin/initdb", X_OK) == 0 else {
            throw SetupError(description: "no /usr/lib/postgresql/*/bin/initdb: run contrib/setup.sh, which installs Debian's postgresql")
        }
        return "/usr/lib/postgresql/\(newest)/bin"
    }

    /// The user PostgreSQL runs as when we are root: `postgres`, else `nobody`.
    private static func unprivilegedUser() throws -> (uid_t, gid_t, String) {
        for name in ["postgres", "nobody"] {
            if let entry = getpwnam(name) { return (entry.pointee.pw_uid, entry.pointee.pw_gid, name) }
        }
        throw SetupError(description: "running as root and neither user postgres nor nobody exists: PostgreSQL cannot run as root")
    }
}
