import Logging

/// Chooses syncd's log output: journald-native structured entries when stderr is the journal
/// (or `logFormat` is `journal`), plain text on stderr otherwise. Called once by the executable.
public enum DaemonLogging {
    /// True when entries should go to journald for `config` in `environment`.
    public static func useJournal(config: DaemonConfig, environment: [String: String]) -> Bool {
        switch config.logFormat {
        case "journal": return true
        case "text": return false
        default: return JournalLogHandler.stderrIsJournal(environment: environment)
        }
    }

    /// Bootstraps swift-log and returns syncd's logger.
    public static func bootstrap(config: DaemonConfig, environment: [String: String]) -> Logger {
        let journal = useJournal(config: config, environment: environment)
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = journal ? JournalLogHandler(identifier: "syncd", label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "syncd")
    }
}
