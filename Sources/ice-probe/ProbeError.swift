/// Why the netlab probe stopped before it could report a result.
enum ProbeError: Error, CustomStringConvertible {
    /// Bad command line.
    case usage(String)
    /// A system call failed with this errno.
    case system(String, Int32)
    /// The peer's candidate file never appeared or was malformed.
    case signaling(String)

    var description: String {
        switch self {
        case .usage(let m): return "usage: \(m)"
        case .system(let call, let e): return "\(call) failed (errno \(e))"
        case .signaling(let m): return "signaling: \(m)"
        }
    }
}
