import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl folders add|remove|list|pause|resume|rescan|mode|ignore`.
struct FoldersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folders", abstract: "Share folders and control their syncing.",
        subcommands: [FoldersList.self, FoldersAdd.self, FolderAction.Remove.self, FolderAction.Pause.self, FolderAction.Resume.self,
                      FolderAction.Rescan.self, FoldersMode.self, FoldersIgnore.self],
        defaultSubcommand: FoldersList.self)
}

/// `syncctl folders list`.
struct FoldersList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List shared folders.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let folders = try options.run { c throws(ControlClientError) in try c.request("GET", "/folders", as: [FolderInfo].self) }
        if json { printJSON(folders); return }
        if folders.isEmpty { print("No folders. Share one with `syncctl folders add <path> --with <device>`."); return }
        print(table(["ID", "MODE", "PAUSED", "DEVICES", "PATH"], folders.map {
            [$0.id, $0.mode, $0.paused ? "yes" : "no", $0.devices.map { String($0.prefix(7)) }.joined(separator: ","), $0.path]
        }))
    }
}

/// `syncctl folders add <path> [--id] [--with <device>…] [--mode]`.
struct FoldersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Share a folder (use the same --id on every device).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The folder's path (created if missing).", completion: .directory) var path: String
    @Option(name: .long, help: "The folder ID shared by all devices (default: random; give the same ID on the other device).") var id: String?
    @Option(name: .customLong("with"), help: "A device to share with (repeatable).") var devices: [String] = []
    @Option(name: .long, help: "send-receive (default), send-only or receive-only.") var mode: String?

    func validate() throws {
        if let mode, !["send-receive", "send-only", "receive-only"].contains(mode) {
            throw ValidationError("--mode must be send-receive, send-only or receive-only")
        }
    }

    func run() throws {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        let f = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/folders", body: AddFolderRequest(path: absolute, id: id, devices: devices, mode: mode), as: FolderInfo.self)
        }
        print("sharing \(f.path) as folder \(f.id) (\(f.mode)); its first scan runs now, and files go out as they are scanned (`syncctl status` shows it scanning)")
        if !f.devices.isEmpty { print("on the other device: syncctl folders add <path> --id \(f.id) --with <this device's ID>") }
    }
}

/// Folder commands that take just an ID.
enum FolderAction {
    static func post(_ options: ClientOptions, _ id: String, _ action: String) throws {
        _ = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/folders/\(id)/\(action)", body: Optional<Int>.none, as: ControlClient.Empty.self)
        }
    }

    /// `syncctl folders remove <id>`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop sharing a folder (its files stay).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The folder ID.") var id: String
        func run() throws {
            _ = try options.run { c throws(ControlClientError) in try c.request("DELETE", "/folders/\(id)", as: ControlClient.Empty.self) }
        }
    }

    /// `syncctl folders pause <id>`.
    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause syncing a folder.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The folder ID.") var id: String
        func run() throws { try FolderAction.post(options, id, "pause") }
    }

    /// `syncctl folders resume <id>`.
    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume syncing a folder.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The folder ID.") var id: String
        func run() throws { try FolderAction.post(options, id, "resume") }
    }

    /// `syncctl folders rescan <id>`.
    struct Rescan: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rescan", abstract: "Rescan a folder now.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The folder ID.") var id: String
        func run() throws { try FolderAction.post(options, id, "rescan") }
    }
}

/// `syncctl folders mode <id> <mode>`.
struct FoldersMode: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mode", abstract: "Set a folder's mode.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The folder ID.") var id: String
    @Argument(help: "send-receive, send-only or receive-only.") var mode: String
    func run() throws {
        _ = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/folders/\(id)/mode", body: ModeRequest(mode: mode), as: ControlClient.Empty.self)
        }
    }
}

/// `syncctl folders ignore <id> [pattern…]`: shows, or replaces, the folder's `.syncignore`.
struct FoldersIgnore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ignore", abstract: "Show or set a folder's ignore patterns (gitignore syntax).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The folder ID.") var id: String
    @Argument(help: "New patterns (replace the current ones).") var patterns: [String] = []
    @Flag(name: .long, help: "Remove every pattern.") var clear = false

    func run() throws {
        if patterns.isEmpty && !clear {
            let p = try options.run { c throws(ControlClientError) in try c.request("GET", "/folders/\(id)/ignore", as: IgnorePatterns.self) }
            for line in p.patterns { print(line) }
        } else {
            _ = try options.run { c throws(ControlClientError) in
                try c.request("PUT", "/folders/\(id)/ignore", body: IgnorePatterns(patterns: clear ? [] : patterns), as: ControlClient.Empty.self)
            }
        }
    }
}
