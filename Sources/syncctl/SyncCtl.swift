import ArgumentParser

/// `syncctl`: the PeerSync command line. It talks only to the local syncd, over its control socket.
@main
struct SyncCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncctl",
        abstract: "Control PeerSync: pair devices, share folders, watch them sync.",
        discussion: ExitStatus.documentation,
        subcommands: [InitCommand.self, IDCommand.self, PairCommand.self, DevicesCommand.self, FoldersCommand.self,
                      StatusCommand.self, WatchCommand.self, ConflictsCommand.self, LogsCommand.self,
                      CallCommand.self, ScreenCommand.self])
}
