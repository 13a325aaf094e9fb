#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid` (not Foundation's
/// `Process`, whose `waitUntilExit` hung on `pg_ctl` here). Standard input is `/dev/null`;
/// standard output and error go to `logPath` (a file, never a pipe: a daemon the child
/// leaves behind would keep a pipe open). Extra descriptors can be handed to the child.
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid` is written once in `init`; `waitExit` and `terminate` are
    // called by the one test that owns the process, never concurrently.
    let pid: pid_t
    let command: String
    let logPath: String
    private var exitStatus: Int32?

    /// Why a child could not be started or ended badly.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `arguments[0]` (an absolute path) with `arguments`; `descriptors` maps a
    /// descriptor number in the child to one in this process (e.g. `[3: pipeRead]`).
    init(_ arguments: [String], environment: [String: String]? = nil, logPath: String,
         descriptors: [Int32: Int32] = [:]) throws {
        precondition(!arguments.isEmpty, "a command needs a path")
        self.command = arguments.joined(separator: " ")
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for (child, parent) in descriptors.sorted(by: { $0.key < $1.key }) {
            posix_spawn_file_actions_adddup2(&actions, parent, child)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own, so a terminal's Ctrl-C does not reach it twice.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        let env = (environment ?? Self.currentEnvironment()).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in env { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, arguments[0], &actions, &attributes, argv, env)
        guard status == 0 else {
            throw Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    /// Waits (at most `seconds`) for the child to exit and returns its exit status (128 + signal
    /// when killed by one). Past the bound the child is killed and a failure thrown.
    @discardableResult
    func waitExit(seconds: Double = 60) throws -> Int32 {
        if let exitStatus { return exitStatus }
        let step: UInt32 = 5_000
        var waited: UInt64 = 0
        while true {
            if let code = exitStatusIfExited() { return code }
            if Double(waited) / 1_000_000 >= seconds {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                exitStatus = 137
                throw Failure(description: "\(command) did not finish within \(seconds) s; killed. Output:\n\(output())")
            }
            usleep(step)
            waited += UInt64(step)
        }
    }

    /// The exit status if the child has exited (reaping it), nil while it runs.
    func exitStatusIfExited() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }

    /// Runs to completion and throws (with its output) unless it exits with 0.
    func expectSuccess(seconds: Double = 60) throws {
        let code = try waitExit(seconds: seconds)
        guard code == 0 else { throw Failure(description: "\(command) exited with \(code):\n\(output())") }
    }

    /// Sends `signal` and reaps the child (SIGKILL if it has not gone within `seconds`).
    func terminate(_ signal: Int32 = SIGTERM, seconds: Double = 10) {
        guard exitStatus == nil else { return }
        kill(pid, signal)
        _ = try? waitExit(seconds: seconds)
    }

    /// The last few kilobytes the child wrote.
    func output() -> String {
        guard let file = fopen(logPath, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes.suffix(4_000), as: UTF8.self)
    }

    /// Runs `arguments` and throws unless it succeeds; its output goes to a file in `directory`.
    static func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil,
                    seconds: Double = 60) throws {
        let name = arguments[0].split(separator: "/").last.map(String.init) ?? "child"
        let process = try ChildProcess(arguments, environment: environment, logPath: "\(directory)/\(name).log")
        try process.expectSuccess(seconds: seconds)
    }

    /// This process's environment.
    static func currentEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        var cursor = environ
        while let pointer = cursor.pointee {
            let entry = String(cString: pointer)
            if let eq = entry.firstIndex(of: "=") {
                environment[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
            cursor += 1
        }
        return environment
    }

    /// A fresh private directory under `$TMPDIR` (or /tmp).
    static func temporaryDirectory(prefix: String) throws -> String {
        let base = currentEnvironment()["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else {
            throw Failure(description: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        return made
    }

    /// Removes `path` and everything below it.
    static func removeTree(_ path: String) {
        _ = try? ChildProcess(["/bin/rm", "-rf", path], logPath: "/dev/null").waitExit(seconds: 30)
    }
}
