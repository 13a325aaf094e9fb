import Foundation

// ice-probe: one ICE endpoint for the netlab scenarios (contrib/netlab). See ProbeOptions for usage.
do {
    let options = try ProbeOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    let session = try ProbeSession(options: options)
    print(try session.run())
} catch {
    FileHandle.standardError.write(Data("ice-probe: \(error)\n".utf8))
    exit(2)
}
