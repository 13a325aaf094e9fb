import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl pair` prints a code and waits; `syncctl pair <code>` joins with the other device's code.
struct PairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair", abstract: "Pair with another device by a short code.",
        discussion: """
        Run `syncctl pair` on one device; it prints a code like 7-ember-lantern and waits. Run \
        `syncctl pair 7-ember-lantern` on the other. Both devices then trust each other. A code works \
        once and for five minutes; a wrong code burns it. Needs a rendezvous server (rendezvousURL); \
        without one, pair by ID: `syncctl devices add <ID>` on both. Exit codes: 0 paired, 1 pairing \
        failed or timed out (plus the general codes below).
        """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The code printed by the other device.") var code: String?
    @Flag(name: .long, help: "Print the code and return at once instead of waiting (check later with `syncctl devices list`).")
    var noWait = false

    func run() throws {
        if let code {
            let r = try options.run { c throws(ControlClientError) in
                try c.request("POST", "/pairing/join", body: JoinPairingRequest(code: code), as: PairingInfo.self)
            }
            try Self.finish(r)
            return
        }
        let created = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/pairing/code", body: Optional<Int>.none, as: PairingInfo.self)
        }
        print("On the other device, run:\n\n    syncctl pair \(created.code)\n")
        if noWait { return }
        print("Waiting for the other device (Ctrl-C to stop waiting)…")
        fflush(nil)
        let path = "/pairing/" + (created.code.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? created.code)
        while true {
            let r = try options.run { c throws(ControlClientError) in try c.request("GET", path, as: PairingInfo.self) }
            if r.state != "waiting" { try Self.finish(r); return }
            usleep(250_000)
        }
    }

    /// Prints the outcome; throws exit code 1 when pairing failed.
    static func finish(_ r: PairingInfo) throws {
        if r.state == "paired" {
            print("Paired with \(r.message.map { "\($0) " } ?? "")\(r.deviceID ?? "?")")
            print("Share a folder with it: syncctl folders add <path> --with \(r.deviceID ?? "<ID>")")
        } else {
            let reason = r.message ?? "no reason given"
            let text = reason.hasPrefix("pairing ") ? reason : "pairing \(r.state): \(reason)"
            FileHandle.standardError.write(Data("syncctl: \(text)\nStart again with `syncctl pair` on one device and type the new code on the other.\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
    }
}
