import ArgumentParser
import ControlAPI

/// `syncctl id`: prints this device's ID (give it to the other device).
struct IDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "id", abstract: "Print this device's ID.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let id = try options.run { c throws(ControlClientError) in try c.request("GET", "/identity", as: IdentityInfo.self) }
        if json { printJSON(id) } else { print(id.deviceID) }
    }
}
