import ICE
import WireKit

/// The probe's command line:
///
///     ice-probe --name A --peer B --role controlling --bind 10.0.1.2 --dir /run/x \
///               [--stun 203.0.113.1:3478] [--turn 203.0.113.1:3478 --turn-user U --turn-pass P] \
///               [--relay-only] [--seconds 12] [--seed 1] [--fast-consent] [--no-restart] [--verbose]
///
/// Candidates go to `DIR/NAME.cand` once gathering completes; the peer's are read from
/// `DIR/PEER.cand` (files stand in for the rendezvous server until the daemon exists). An ICE
/// restart exchanges `DIR/NAME.cand.N` and `DIR/PEER.cand.N` the same way.
struct ProbeOptions {
    var name = "A"
    var peer = "B"
    var role = ICERole.controlling
    var bind: IPAddress?
    var directory = "."
    var stun: [TransportAddress] = []
    var turn: TransportAddress?
    var turnUser = "peersync"
    var turnPassword = "peersync"
    var relayOnly = false
    var seconds = 12.0
    var seed: UInt64 = 1
    /// Consent every 1 s and disconnected after 2 s, so NAT-rebinding scenarios stay short.
    var fastConsent = false
    /// Log the agent's debug events, final pairs and counters on stderr.
    var verbose = false
    /// Never restart ICE (by default the controlling side restarts over the candidate files
    /// when the connection is disconnected or failed).
    var noRestart = false

    init(arguments: [String]) throws(ProbeError) {
        var i = 0
        func value() throws(ProbeError) -> String {
            i += 1
            guard i < arguments.count else { throw .usage("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        func address(_ text: String) throws(ProbeError) -> TransportAddress {
            guard let a = TransportAddress(text) else { throw .usage("not an address: \(text)") }
            return a
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--name": name = try value()
            case "--peer": peer = try value()
            case "--role":
                guard let r = ICERole(rawValue: try value()) else { throw .usage("--role controlling|controlled") }
                role = r
            case "--bind":
                let text = try value()
                guard let ip = IPAddress(text) else { throw .usage("not an IP: \(text)") }
                bind = ip
            case "--dir": directory = try value()
            case "--stun": stun.append(try address(try value()))
            case "--turn": turn = try address(try value())
            case "--turn-user": turnUser = try value()
            case "--turn-pass": turnPassword = try value()
            case "--relay-only": relayOnly = true
            case "--fast-consent": fastConsent = true
            case "--verbose": verbose = true
            case "--no-restart": noRestart = true
            case "--seconds":
                guard let s = Double(try value()) else { throw .usage("--seconds N") }
                seconds = s
            case "--seed":
                guard let s = UInt64(try value()) else { throw .usage("--seed N") }
                seed = s
            case let other: throw .usage("unknown option \(other)")
            }
            i += 1
        }
        guard bind != nil else { throw .usage("--bind IP is required") }
    }

    /// The agent configuration these options describe.
    var configuration: ICEConfiguration {
        var c = ICEConfiguration(role: role, stunServers: stun,
                                 turnServers: turn.map { [TURNServer(address: $0, username: turnUser, password: turnPassword)] } ?? [],
                                 transportPolicy: relayOnly ? .relay : .all, seed: seed)
        if fastConsent {
            c.consentInterval = .seconds(1)
            c.disconnectedTimeout = .seconds(2)
        }
        return c
    }
}
