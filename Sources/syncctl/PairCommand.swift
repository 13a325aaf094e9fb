import ArgumentParser
import ControlAPI

/// `syncctl pair` prints a code and waits; `syncctl pair <code>` joins with the other device's code.
struct PairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair", abstract: "Pair with another device by a short code.",
        discussion: "Run `syncctl pair` on one device; it prints a code like 7-ember-lantern. Run `syncctl pair 7-ember-lantern` on the other. Without a rendezvous server, pair by ID: `syncctl devices add <ID>` on both.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The code printed by the other device.") var code: String?

    func run() throws {
        if let code {
            let r = try options.run { c throws(ControlClientError) in
                try c.request("POST", "/pairing/join", body: JoinPairingRequest(code: code), as: PairingInfo.self)
            }
            print(r.state == "paired" ? "paired with \(r.deviceID ?? "?")" : "pairing \(r.state): \(r.message ?? "")")
        } else {
            let r = try options.run { c throws(ControlClientError) in
                try c.request("POST", "/pairing/code", body: Optional<Int>.none, as: PairingInfo.self)
            }
            print("On the other device, run:\n\n    syncctl pair \(r.code)\n")
        }
    }
}
