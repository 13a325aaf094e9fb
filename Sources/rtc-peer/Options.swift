import Foundation

/// Command-line options of rtc-peer (see README, "rtc-peer").
struct Options {
    enum Role: String { case offer, answer }
    enum Mode: String { case echo, sink, source }

    var role: Role = .offer
    var mode: Mode = .echo
    var bytes = 16 << 20
    var messageSize = 65_536
    var unordered = false
    var maxRetransmits: Int?
    var maxPacketLifeTime: Int?
    var channels = 1
    var negotiatedID: UInt16?
    var iceServers: [String] = []
    var signal = "stdio"
    var room: String?
    var peer: String?
    var loopback = true
    var loopbackOnly = false
    var lowThreshold = 1 << 20
    var highWaterMark = 4 << 20
    var label = "rtc-peer"
    var expectEcho = false
    var mtu = 1200
    /// PLPMTUD (on unless `--mtu` fixes the size or `--no-pmtud` turns it off).
    var pathMTUDiscovery = true
    var udpOffload = true

    static let usage = """
        usage: rtc-peer --role offer|answer --mode echo|sink|source [--bytes N] [--message-size N]
                        [--unordered] [--max-retransmits N] [--max-packet-life-time MS] [--channels N]
                        [--negotiated-id N] [--ice-server URL] [--signal stdio|URL [--room CODE | --peer DEVICE-ID]] [--no-loopback]
                        [--loopback-only] [--low-threshold N] [--high-water N] [--expect-echo] [--mtu N]
                        [--no-pmtud] [--no-offload]
        """

    static func parse(_ arguments: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value(_ name: String) throws -> String {
            i += 1
            guard i < arguments.count else { throw OptionError("\(name) needs a value") }
            return arguments[i]
        }
        func int(_ name: String) throws -> Int {
            let text = try value(name)
            guard let n = Int(text), n >= 0 else { throw OptionError("\(name): not a number: \(text)") }
            return n
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--role":
                guard let r = Role(rawValue: try value(a)) else { throw OptionError("--role offer|answer") }
                o.role = r
            case "--mode":
                guard let m = Mode(rawValue: try value(a)) else { throw OptionError("--mode echo|sink|source") }
                o.mode = m
            case "--bytes": o.bytes = try int(a)
            case "--message-size": o.messageSize = max(1, try int(a))
            case "--unordered": o.unordered = true
            case "--max-retransmits": o.maxRetransmits = try int(a)
            case "--max-packet-life-time": o.maxPacketLifeTime = try int(a)
            case "--channels": o.channels = max(1, try int(a))
            case "--negotiated-id":
                guard let id = UInt16(exactly: try int(a)), id < 65_535 else { throw OptionError("--negotiated-id 0...65534") }
                o.negotiatedID = id
            case "--ice-server": o.iceServers.append(try value(a))
            case "--signal": o.signal = try value(a)
            case "--room": o.room = try value(a)
            case "--peer": o.peer = try value(a)
            case "--no-loopback": o.loopback = false
            case "--loopback-only": o.loopbackOnly = true
            case "--low-threshold": o.lowThreshold = try int(a)
            case "--high-water": o.highWaterMark = try int(a)
            case "--label": o.label = try value(a)
            case "--expect-echo": o.expectEcho = true
            case "--mtu":
                o.mtu = try int(a)
                guard (1200...16_421).contains(o.mtu) else { throw OptionError("--mtu 1200...16421") }
                o.pathMTUDiscovery = false
            case "--no-pmtud": o.pathMTUDiscovery = false
            case "--no-offload": o.udpOffload = false
            case "-h", "--help": throw OptionError(usage)
            default: throw OptionError("unknown option \(a)\n\(usage)")
            }
            i += 1
        }
        if o.maxRetransmits != nil && o.maxPacketLifeTime != nil {
            throw OptionError("--max-retransmits and --max-packet-life-time are exclusive")
        }
        try o.validateSignaling()
        return o
    }

    /// `--signal URL` needs a way to find the peer (the answerer may also wait for anyone);
    /// `--room` and `--peer` need `--signal URL`.
    private func validateSignaling() throws {
        guard signal != "stdio" else {
            if room != nil || peer != nil { throw OptionError("--room and --peer need --signal ws://HOST:PORT/ws") }
            return
        }
        guard signal.hasPrefix("ws://") || signal.hasPrefix("wss://") else {
            throw OptionError("--signal stdio, or the rendezvous server's ws:// or wss:// URL")
        }
        if room != nil && peer != nil { throw OptionError("--room and --peer are exclusive") }
        if role == .offer && room == nil && peer == nil { throw OptionError("--signal URL with --role offer needs --room CODE or --peer DEVICE-ID") }
        if let room {
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
            guard (1...64).contains(room.count), room.allSatisfy(allowed.contains) else {
                throw OptionError("--room: 1-64 characters from A-Z a-z 0-9 - _ .")
            }
        }
    }
}

struct OptionError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
