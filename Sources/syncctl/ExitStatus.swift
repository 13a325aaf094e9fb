import ArgumentParser
import ControlAPI
import Foundation

/// syncctl's documented exit codes, and the one place errors become messages and codes.
enum ExitStatus {
    /// Everything worked.
    static let ok: Int32 = 0
    /// syncd reported a failure (I/O, database).
    static let failure: Int32 = 1
    /// Bad usage (wrong arguments; printed by the argument parser).
    static let usage: Int32 = 64
    /// syncd is not running (nothing on the control socket).
    static let notRunning: Int32 = 69
    /// Permission denied on the control socket (another user's syncd).
    static let permission: Int32 = 77
    /// The request was refused: bad value, unknown device/folder, conflicting state.
    static let refused: Int32 = 65
    /// The feature is not available in this syncd.
    static let unavailable: Int32 = 70

    /// The text for `--help`.
    static let documentation = """
    Exit codes: 0 success; 1 syncd failed (see `syncctl logs`); 64 bad usage; 65 request refused \
    (bad value, unknown device or folder, conflicting state); 69 syncd is not running; 70 not available \
    in this syncd; 77 permission denied on the control socket.
    """

    /// Prints `error` (what happened and what to do) and returns the matching exit code.
    static func report(_ error: ControlClientError) -> ExitCode {
        FileHandle.standardError.write(Data("syncctl: \(error.description)\n".utf8))
        switch error {
        case .daemonNotRunning: return ExitCode(notRunning)
        case .permissionDenied: return ExitCode(permission)
        case .server(let status, _):
            if status == 501 { return ExitCode(unavailable) }
            return ExitCode((400..<500).contains(status) ? refused : failure)
        case .badResponse, .io: return ExitCode(failure)
        }
    }
}
