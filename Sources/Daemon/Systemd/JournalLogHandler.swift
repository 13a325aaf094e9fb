#if canImport(Glibc)
import Glibc
#endif
import CSystemd
import Logging

/// A swift-log handler that writes to journald natively (`sd_journal_sendv`), with structured
/// fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE/LINE/FUNC, and every metadata key
/// upper-cased (FOLDER, DEVICE, PATH…). Used when `$JOURNAL_STREAM` shows stderr goes to the journal.
public struct JournalLogHandler: LogHandler {
    /// The handler's metadata.
    public var metadata: Logger.Metadata = [:]
    /// The minimum level logged.
    public var logLevel: Logger.Level = .info
    let identifier: String

    /// A handler logging as `identifier` (SYSLOG_IDENTIFIER).
    public init(identifier: String = "syncd", label: String = "") { self.identifier = identifier }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Sends one entry to journald.
    public func log(event: LogEvent) {
        let fields = Self.fields(identifier: identifier, level: event.level, message: "\(event.message)",
                                 metadata: metadata.merging(event.metadata ?? [:]) { $1 }, file: event.file, function: event.function, line: event.line)
        Self.send(fields)
    }

    /// The journal fields for one entry (pure; tested).
    public static func fields(identifier: String, level: Logger.Level, message: String, metadata: Logger.Metadata,
                              file: String, function: String, line: UInt) -> [String] {
        var fields = ["MESSAGE=\(message)", "PRIORITY=\(priority(level))", "SYSLOG_IDENTIFIER=\(identifier)",
                      "CODE_FILE=\(file)", "CODE_LINE=\(line)", "CODE_FUNC=\(function)"]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let name = fieldName(key)
            guard !name.isEmpty, !["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"].contains(name) else { continue }
            fields.append("\(name)=\(value)")
        }
        return fields
    }

    /// A journal field name for a metadata key: upper-case letters, digits and `_`, not starting with `_` or a digit.
    public static func fieldName(_ key: String) -> String {
        var out = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        while let f = out.first, f == "_" || f.isNumber { out.removeFirst() }
        return String(out.prefix(64))
    }

    /// The syslog priority of a level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Sends fields; returns 0 or a negative errno.
    @discardableResult
    public static func send(_ fields: [String]) -> Int32 {
        let limited = Array(fields.prefix(256))
        var pointers = limited.map { strdup($0) }
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let base = buf.baseAddress else { return -22 }
            return base.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) {
                CShim_sd_journal_send_fields($0, Int32(buf.count))
            }
        }
    }

    /// True when stderr is connected to the journal (`$JOURNAL_STREAM` matches stderr's device and inode).
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}
