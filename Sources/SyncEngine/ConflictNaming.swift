import SyncProtocol

/// Names of conflict copies: `name.sync-conflict-YYYYMMDD-HHMMSS-<first 7 of device ID>.ext`.
///
/// The timestamp is the losing version's modification time in UTC (the engine reads no clock).
public enum ConflictNaming {
    /// The marker every conflict copy's name contains.
    public static let marker = ".sync-conflict-"

    /// The conflict copy's path for `path`, whose losing version was made at `mtimeNanoseconds` by `deviceID`.
    public static func copyPath(for path: SyncPath, mtimeNanoseconds: Int64, deviceID: String) -> SyncPath {
        let name = path.name
        let (base, ext) = split(name)
        let device = String(deviceID.unicodeScalars.prefix(7).map { s -> Character in
            (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || s == "-" ? Character(s) : "_"
        })
        let suffix = marker + timestamp(mtimeNanoseconds) + "-" + device + ext
        var trimmedBase = base
        while trimmedBase.utf8.count + suffix.utf8.count > PathPolicy.maxComponentBytes, !trimmedBase.isEmpty {
            trimmedBase.removeLast()
        }
        let copy = trimmedBase + suffix
        return path.parent.map { $0.appending(copy) } ?? SyncPath(copy)
    }

    /// True when `name` is a conflict copy of `original` (same directory assumed).
    public static func isCopy(_ name: String, of original: String) -> Bool {
        let (base, ext) = split(original)
        return name.hasPrefix(base + marker) && name.hasSuffix(ext)
    }

    static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }

    /// `YYYYMMDD-HHMMSS` in UTC for nanoseconds since the epoch.
    public static func timestamp(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        var days = seconds / 86_400
        var secs = seconds % 86_400
        if secs < 0 { secs += 86_400; days -= 1 }
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)\(two(m))\(two(d))-\(two(secs / 3600))\(two(secs / 60 % 60))\(two(secs % 60))"
    }
}
