#if canImport(Glibc)
import Glibc
#endif

/// The default locations of PeerSync's files, per the XDG base directory specification.
///
/// state: `$XDG_STATE_HOME/peersync` (default `~/.local/state/peersync`);
/// config: `$XDG_CONFIG_HOME/peersync/syncd.json` (default `~/.config/peersync`);
/// control socket: `$XDG_RUNTIME_DIR/peersync/syncd.sock` (default `/run/user/<uid>/peersync`,
/// or the state folder when no runtime directory exists).
public struct PeerSyncPaths: Sendable, Equatable {
    /// The state folder (identity, index database, trust store).
    public var stateDirectory: String
    /// The configuration file.
    public var configFile: String
    /// The control socket.
    public var controlSocket: String

    /// Paths derived from `environment` (pass `ProcessInfo`-like values; tests pass their own).
    public static func defaults(environment: [String: String]) -> PeerSyncPaths {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        func xdg(_ key: String, _ fallback: String) -> String {
            if let v = environment[key], v.hasPrefix("/") { return v }
            return home + "/" + fallback
        }
        let state = xdg("XDG_STATE_HOME", ".local/state") + "/peersync"
        let config = xdg("XDG_CONFIG_HOME", ".config") + "/peersync/syncd.json"
        let runtime: String
        if let r = environment["XDG_RUNTIME_DIR"], r.hasPrefix("/") { runtime = r + "/peersync" } else { runtime = state }
        return PeerSyncPaths(stateDirectory: state, configFile: config, controlSocket: runtime + "/syncd.sock")
    }

    /// The current process's environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { result[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return result
    }
}
