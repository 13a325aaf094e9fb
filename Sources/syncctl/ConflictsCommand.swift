import ArgumentParser
import ControlAPI

/// `syncctl conflicts list|resolve`.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "List conflict copies and resolve them by keeping one side.",
        subcommands: [ConflictsList.self, ConflictsResolve.self], defaultSubcommand: ConflictsList.self)
}

/// `syncctl conflicts list`.
struct ConflictsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List conflict copies.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let list = try options.run { c throws(ControlClientError) in try c.request("GET", "/conflicts", as: [ConflictInfo].self) }
        if json { printJSON(list); return }
        if list.isEmpty { print("No conflicts."); return }
        print(table(["FOLDER", "FILE", "CONFLICT COPY"], list.map { [$0.folder, $0.path, $0.copy] }))
        print("\nResolve with: syncctl conflicts resolve <folder> <copy> --keep winner|copy")
    }
}

/// `syncctl conflicts resolve <folder> <copy> --keep winner|copy`.
struct ConflictsResolve: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Keep the current file (winner) or the conflict copy.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The folder ID.") var folder: String
    @Argument(help: "The conflict copy's path in the folder.") var copy: String
    @Option(name: .long, help: "winner (delete the copy) or copy (the copy replaces the file).") var keep: String

    func validate() throws {
        guard ["winner", "copy"].contains(keep) else { throw ValidationError("--keep must be winner or copy") }
    }

    func run() throws {
        _ = try options.run { c throws(ControlClientError) in
            try c.request("POST", "/conflicts/resolve", body: ResolveConflictRequest(folder: folder, copy: copy, keep: keep), as: ControlClient.Empty.self)
        }
    }
}
