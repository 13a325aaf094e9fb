import ICE
import ICEDriver
import WireKit

/// The ICE part of syncd's configuration as the WebRTC stack takes it: STUN and TURN server
/// addresses from `iceServers` and the local interfaces from `iceInterfaces`.
struct ICESettings: Sendable {
    /// STUN servers.
    var stun: [TransportAddress] = []
    /// TURN servers with their credentials.
    var turn: [TURNServer] = []
    /// Which local addresses get a socket (one host candidate each).
    var interfaces: ICEInterfaceSelection
    /// URLs that could not be used, with why (logged once at start).
    var skipped: [String] = []

    /// Parses `stun:HOST:PORT` and `turn:HOST:PORT[?transport=udp]` URLs. HOST must be an IP
    /// literal or `localhost` (syncd does no DNS on the event loop); TURN needs a user name and
    /// credential.
    init(config: DaemonConfig) {
        switch config.iceInterfaces {
        case "loopback": interfaces = .loopbackOnly
        case "all+loopback": interfaces = .all(includeLoopback: true)
        default: interfaces = .all(includeLoopback: false)
        }
        for server in config.iceServers {
            for url in server.urls {
                let isTURN = url.hasPrefix("turn:")
                guard isTURN || url.hasPrefix("stun:") else { skipped.append("\(url): only stun: and turn: (UDP) are supported"); continue }
                var rest = String(url.drop(while: { $0 != ":" }).dropFirst())
                if let q = rest.firstIndex(of: "?") {
                    let query = rest[rest.index(after: q)...]
                    if isTURN, !query.isEmpty, query != "transport=udp" { skipped.append("\(url): only UDP TURN is supported"); continue }
                    rest = String(rest[..<q])
                }
                if !rest.contains(":") { rest += ":3478" }
                if rest.hasPrefix("localhost:") { rest = "127.0.0.1" + rest.dropFirst("localhost".count) }
                guard let address = TransportAddress(rest) else { skipped.append("\(url): the host must be an IP address"); continue }
                if isTURN {
                    guard let user = server.username, let password = server.credential else {
                        skipped.append("\(url): TURN needs username and credential"); continue
                    }
                    turn.append(TURNServer(address: address, username: user, password: password))
                } else {
                    stun.append(address)
                }
            }
        }
    }
}
