/// Why a control request failed, phrased for the person at the terminal.
public enum ControlClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing listens on the socket.
    case daemonNotRunning(socket: String)
    /// The socket exists but we may not use it.
    case permissionDenied(socket: String)
    /// The daemon answered with an error.
    case server(status: Int, body: ControlErrorBody)
    /// The daemon's answer could not be understood.
    case badResponse(String)
    /// A socket call failed.
    case io(String)

    /// The message, with what to do about it.
    public var description: String {
        switch self {
        case .daemonNotRunning(let socket):
            return "syncd is not running (nothing listens on \(socket)): start it with `syncd` "
                + "or `systemctl --user start syncd`, or pass --socket if it uses another socket"
        case .permissionDenied(let socket):
            return "permission denied on \(socket): syncctl must run as the same user as syncd"
        case .server(_, let body):
            return body.hint.map { "\(body.error): \($0)" } ?? body.error
        case .badResponse(let why):
            return "syncd sent an answer syncctl does not understand (\(why)): are syncd and syncctl the same version?"
        case .io(let why):
            return "talking to syncd failed: \(why)"
        }
    }
}
