import ArgumentParser
import ControlAPI

/// `syncctl devices list|add|remove|rename`.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List, add, remove and rename paired devices.",
        subcommands: [DevicesList.self, DevicesAdd.self, DevicesRemove.self, DevicesRename.self], defaultSubcommand: DevicesList.self)
}

/// `syncctl devices list`.
struct DevicesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List paired devices.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let devices = try options.run { c throws(ControlClientError) in try c.request("GET", "/devices", as: [DeviceInfo].self) }
        if json { printJSON(devices); return }
        if devices.isEmpty { print("No paired devices. Pair one with `syncctl pair` or `syncctl devices add <ID>`."); return }
        print(table(["NAME", "CONNECTED", "IN", "OUT", "ID"], devices.map {
            [$0.name, $0.connected ? "yes" : "no", formatBytes($0.bytesIn), formatBytes($0.bytesOut), $0.id]
        }))
    }
}

/// `syncctl devices add <ID> [--name]`.
struct DevicesAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Pair a device by its ID (run it on both devices).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The other device's ID (from `syncctl id` there).") var id: String
    @Option(name: .long, help: "A name for it.") var name: String?

    func run() throws {
        let d = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/devices", body: AddDeviceRequest(id: id, name: name), as: DeviceInfo.self)
        }
        print("paired \(d.name) (\(d.id)); share a folder with it: syncctl folders add <path> --with \(d.id.prefix(7))…")
    }
}

/// `syncctl devices remove <ID>`.
struct DevicesRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Unpair a device (its folders stop syncing with it).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The device ID.") var id: String

    func run() throws {
        _ = try options.run { c throws(ControlClientError) in try c.request("DELETE", "/devices/\(id)", as: ControlClient.Empty.self) }
        print("removed \(id)")
    }
}

/// `syncctl devices rename <ID> <name>`.
struct DevicesRename: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a paired device.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The device ID.") var id: String
    @Argument(help: "The new name.") var name: String

    func run() throws {
        _ = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/devices/\(id)/rename", body: RenameRequest(name: name), as: ControlClient.Empty.self)
        }
    }
}
