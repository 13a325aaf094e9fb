import ArgumentParser
import Foundation

/// `syncctl logs`: follows syncd's journal (`journalctl --user -u syncd -f`), or a log file.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Follow syncd's log.")
    @Option(name: .long, help: "Follow this file instead of the journal (for a syncd started by hand with 2>file).", completion: .file())
    var file: String?
    @Flag(name: .long, help: "Print what is there and exit, do not follow.") var noFollow = false
    @Option(name: .long, help: "The systemd unit.") var unit = "syncd"

    func run() throws {
        let (tool, args): (String, [String])
        if let file {
            guard FileManager.default.fileExists(atPath: file) else {
                FileHandle.standardError.write(Data("syncctl: log file \(file) does not exist\n".utf8))
                throw ExitCode(ExitStatus.refused)
            }
            (tool, args) = ("/usr/bin/tail", (noFollow ? ["-n", "200"] : ["-n", "200", "-F"]) + [file])
        } else {
            (tool, args) = ("/usr/bin/journalctl", ["--user", "-u", unit, "-o", "cat"] + (noFollow ? [] : ["-f"]))
        }
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            FileHandle.standardError.write(Data("syncctl: \(tool) is not installed; started by hand, syncd logs to stderr: use --file with the file you redirected it to\n".utf8))
            throw ExitCode(ExitStatus.unavailable)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        throw ExitCode(p.terminationStatus)
    }
}
