import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl call <device>|accept|reject|hangup|dtmf|status`: voice check-ins with paired devices.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call a paired device, answer, hang up, send DTMF.",
        discussion: """
        `syncctl call <device>` rings the device (give its name, ID or an ID prefix); it shows the call in \
        `syncctl status` and `syncctl watch` and answers with `syncctl call accept` or `syncctl call reject`. \
        Up to 4 calls with different devices can ring or run at once; `syncctl call status` lists them, and \
        accept, reject, hangup and dtmf then name one by its device (name, ID or prefix) or its call id. \
        Audio: --input tone:<Hz>, a 48 kHz WAV file, pulse[:<source>], null or default (the sound server's default \
        source; silence where there is none); --output a WAV file (written as the call goes, completed when it ends), pulse[:<sink>], null or \
        default (the sound server's default sink; nowhere where there is none).
        """,
        subcommands: [CallStart.self, CallAccept.self, CallReject.self, CallHangup.self, CallDTMF.self, CallShow.self],
        defaultSubcommand: CallStart.self)
}

/// Audio options shared by `call <device>` and `call accept`.
struct AudioOptions: ParsableArguments {
    @Option(name: .long, help: "Audio input: tone:<Hz>, a WAV file (48 kHz), pulse[:<source>], null, or default.") var input: String?
    @Option(name: .long, help: "Audio output: a WAV file, pulse[:<sink>], null, or default.") var output: String?

    /// A file argument made absolute (syncd resolves nothing against syncctl's folder).
    static func absolute(_ spec: String?) -> String? {
        guard let spec else { return nil }
        let keywords = ["default", "null", "none", "silence", "mic", "microphone", "speaker", "speakers", "pulse"]
        let lower = spec.lowercased()
        if keywords.contains(lower) || lower.hasPrefix("tone:") || lower.hasPrefix("pulse:") || spec.hasPrefix("/") { return spec }
        return URL(fileURLWithPath: spec, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }
}

/// `syncctl call <device>`.
struct CallStart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Ring a device (`syncctl call <device>`).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var audio: AudioOptions
    @Argument(help: "The device: its name, ID, or an ID prefix.") var device: String

    func run() throws {
        let request = CallRequest(device: device, input: AudioOptions.absolute(audio.input), output: AudioOptions.absolute(audio.output))
        let s = try options.run { c throws(ControlClientError) in try c.request("POST", "/call", body: request, as: CallStatus.self) }
        print("ringing \(s.deviceName ?? device)… (it answers with `syncctl call accept`; `syncctl call hangup` cancels)")
    }
}

/// `syncctl call accept [<call>]`.
struct CallAccept: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accept", abstract: "Answer a ringing call.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var audio: AudioOptions
    @Argument(help: "Which call: its device (name, ID or prefix) or call id; needed only when several ring.") var call: String?

    func run() throws {
        let request = CallAnswerRequest(input: AudioOptions.absolute(audio.input), output: AudioOptions.absolute(audio.output), call: call)
        let s = try options.run { c throws(ControlClientError) in try c.request("POST", "/call/accept", body: request, as: CallStatus.self) }
        print("in a call with \(s.deviceName ?? "?") (input \(s.input ?? "?"), output \(s.output ?? "?")); `syncctl call hangup` ends it")
    }
}

/// `syncctl call reject [<call>]`.
struct CallReject: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Refuse a ringing call.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Which call: its device (name, ID or prefix) or call id; needed only when several ring.") var call: String?

    func run() throws {
        let request = CallTargetRequest(call: call)
        _ = try options.run { c throws(ControlClientError) in try c.request("POST", "/call/reject", body: request, as: ControlClient.Empty.self) }
        print("call rejected")
    }
}

/// `syncctl call hangup [<call>]`.
struct CallHangup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hangup", abstract: "End a call (or stop ringing).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Which call: its device (name, ID or prefix) or call id; needed only when there are several.") var call: String?

    func run() throws {
        let request = CallTargetRequest(call: call)
        _ = try options.run { c throws(ControlClientError) in try c.request("POST", "/call/hangup", body: request, as: ControlClient.Empty.self) }
        print("call ended")
    }
}

/// `syncctl call dtmf <digits>`.
struct CallDTMF: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dtmf", abstract: "Send DTMF digits (RFC 4733 telephone-events) in the call.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Digits: 0-9, *, #, A-D; a comma pauses 2 s.") var digits: String
    @Option(name: .long, help: "Tone length in ms (40–6000).") var duration: Int = 100
    @Option(name: .long, help: "Gap between tones in ms (30–6000).") var gap: Int = 70
    @Option(name: .long, help: "Which call: its device (name, ID or prefix) or call id; needed only when there are several.") var call: String?

    func run() throws {
        let request = DTMFRequest(digits: digits, durationMilliseconds: duration, gapMilliseconds: gap, call: call)
        _ = try options.run { c throws(ControlClientError) in try c.request("POST", "/call/dtmf", body: request, as: ControlClient.Empty.self) }
        print("sending DTMF \(digits)")
    }
}

/// `syncctl call status [<call>]`.
struct CallShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the calls (or one).")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON (a list of calls; one object when a call is named).") var json = false
    @Argument(help: "One call: its device (name, ID or prefix) or call id.") var call: String?

    func run() throws {
        if let call {
            let path = "/call?call=" + (call.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? call)
            let s = try options.run { c throws(ControlClientError) in try c.request("GET", path, as: CallStatus.self) }
            if json { printJSON(s); return }
            print(Self.render(s))
            return
        }
        let list = try options.run { c throws(ControlClientError) in try c.request("GET", "/calls", as: [CallStatus].self) }
        if json { printJSON(list); return }
        if list.isEmpty {
            let last = try options.run { c throws(ControlClientError) in try c.request("GET", "/call", as: CallStatus.self) }
            print(Self.render(last))
        } else {
            print(list.map(Self.render).joined(separator: "\n"))
        }
    }

    /// One line about the call.
    static func render(_ s: CallStatus) -> String {
        switch s.state {
        case "idle": return "No call." + (s.lastEnded.map { " The last one ended: \($0)." } ?? "")
        case "ringing-in":
            let name = s.deviceName ?? "?"
            return "Call from \(name) is ringing: `syncctl call accept \(name)` or `syncctl call reject \(name)`."
        case "ringing-out": return "Ringing \(s.deviceName ?? "?")…"
        default:
            var line = "In a call with \(s.deviceName ?? "?"): input \(s.input ?? "?"), output \(s.output ?? "?"), "
                + "\(s.framesSent) frames sent, \(s.framesPlayed) played (\(String(format: "%.1f%%", s.concealedShare * 100)) concealed)"
            if !s.dtmfReceived.isEmpty { line += ", DTMF received: \(s.dtmfReceived)" }
            return line
        }
    }
}
