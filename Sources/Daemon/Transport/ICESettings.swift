import Foundation
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
    /// Servers given by host name: resolved for each connection attempt (off the event loop),
    /// so a name that did not resolve at start, or that moved, is found later.
    var named: [NamedServer] = []

    /// A STUN or TURN server given by name.
    struct NamedServer: Sendable {
        var url: String
        var host: String
        var port: UInt16
        /// The TURN credentials (nil for STUN).
        var turn: (username: String, password: String)?
    }

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
                var credentials: (username: String, password: String)?
                if isTURN {
                    guard let user = server.username, let password = server.credential else {
                        skipped.append("\(url): TURN needs username and credential"); continue
                    }
                    credentials = (user, password)
                }
                guard let address = TransportAddress(rest) else {
                    guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0,
                          !rest[..<colon].isEmpty, !rest[..<colon].contains(":") else {
                        skipped.append("\(url): expected HOST:PORT"); continue
                    }
                    named.append(NamedServer(url: url, host: String(rest[..<colon]), port: port, turn: credentials))
                    continue
                }
                if let c = credentials {
                    turn.append(TURNServer(address: address, username: c.username, password: c.password))
                } else {
                    stun.append(address)
                }
            }
        }
    }
}

extension ICESettings {
    /// The STUN and TURN servers with every named one resolved now (getaddrinfo on a
    /// background thread); names that do not resolve are left out, and `failed` says why.
    func servers() async -> (stun: [TransportAddress], turn: [TURNServer], failed: [String]) {
        var stun = self.stun, turn = self.turn, failed: [String] = []
        for server in named {
            let addresses = await Self.resolve(server.host, port: server.port)
            guard !addresses.isEmpty else {
                failed.append("\(server.url): the name \(server.host) does not resolve (check DNS, or give an IP address)")
                continue
            }
            for address in addresses {
                if let c = server.turn { turn.append(TURNServer(address: address, username: c.username, password: c.password)) } else { stun.append(address) }
            }
        }
        return (stun, turn, failed)
    }

    /// The UDP addresses of `host` (IPv4 first), resolved on a background thread.
    static func resolve(_ host: String, port: UInt16) async -> [TransportAddress] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(first) }
                var v4: [TransportAddress] = [], v6: [TransportAddress] = []
                var node: UnsafeMutablePointer<addrinfo>? = first
                while let n = node {
                    var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if let addr = n.pointee.ai_addr,
                       getnameinfo(addr, n.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                        let ip = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        let literal = n.pointee.ai_family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
                        if let a = TransportAddress(literal), !v4.contains(a), !v6.contains(a) {
                            if n.pointee.ai_family == AF_INET6 { v6.append(a) } else { v4.append(a) }
                        }
                    }
                    node = n.pointee.ai_next
                }
                continuation.resume(returning: v4 + v6)
            }
        }
    }
}
