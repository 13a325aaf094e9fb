import Foundation

/// Reads and atomically writes small JSON state files (temp file, fsync, rename), mode 0600.
enum JSONFile {
    /// Decodes `path`, or returns nil when it does not exist.
    static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Writes `value` to `path` so that a crash leaves the old or the new file, never a mix.
    static func write<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(value)
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DaemonError.io("cannot write \(temp): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { raw in Foundation.write(fd, raw.baseAddress, raw.count) == raw.count }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, path) == 0 else { throw DaemonError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
