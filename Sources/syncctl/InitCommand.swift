import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl init`: writes a starting configuration file and says how to start syncd.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a configuration file and show how to start syncd.")
    @Option(name: .long, help: "The device name (default: the host name).") var name: String?
    @Option(name: .long, help: "The configuration file to write (default: $XDG_CONFIG_HOME/peersync/syncd.json).") var config: String?
    @Option(name: .long, help: "A rendezvous server URL (ws://host:port/ws).") var rendezvous: String?
    @Flag(name: .long, help: "Overwrite an existing file.") var force = false

    func run() throws {
        let env = PeerSyncPaths.processEnvironment()
        let path = config ?? env["PEERSYNC_CONFIG"] ?? PeerSyncPaths.defaults(environment: env).configFile
        if FileManager.default.fileExists(atPath: path) && !force {
            FileHandle.standardError.write(Data("syncctl: \(path) already exists; edit it, or pass --force to replace it\n".utf8))
            throw ExitCode(ExitStatus.refused)
        }
        let deviceName = name ?? ProcessInfo.processInfo.hostName
        func quoted(_ s: String) -> String {
            let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        let text = """
        // syncd configuration (JSON with comments); every key: see Config/syncd.example.json.
        {
            // The name other devices see for this one.
            "deviceName": \(quoted(deviceName)),
            // Rendezvous (signaling) server; null = pair by ID only.
            "rendezvousURL": \(rendezvous.map(quoted) ?? "null"),
            "logLevel": "info"
        }

        """
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("syncctl: cannot write \(path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        print("""
        wrote \(path)
        next:
          start syncd:        systemctl --user enable --now syncd   (or run `syncd` in a terminal)
          this device's ID:   syncctl id
          pair:               syncctl pair            (or: syncctl devices add <ID of the other device>)
          share a folder:     syncctl folders add ~/Sync --id sync --with <device ID>
        """)
    }
}
