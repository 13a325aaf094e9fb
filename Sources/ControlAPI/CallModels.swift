/// Where the voice call of this device stands (`GET /call`, and `call` in `GET /status`).
public struct CallStatus: Codable, Sendable, Equatable {
    /// `idle`, `ringing-out` (we called, waiting for an answer), `ringing-in` (a device calls us)
    /// or `active`.
    public var state: String
    /// The other device's ID (nil when idle).
    public var device: String?
    /// The other device's name (nil when idle).
    public var deviceName: String?
    /// When the state was entered (seconds since 1970).
    public var since: Double?
    /// The audio input in use (`tone:440`, a WAV path, `null`).
    public var input: String?
    /// The audio output in use (a WAV path or `null`).
    public var output: String?
    /// Opus frames sent so far in this call.
    public var framesSent: Int
    /// Audio frames played out (decoded, FEC-recovered or concealed).
    public var framesPlayed: Int
    /// The share of played frames that were concealed or recovered, 0…1.
    public var concealedShare: Double
    /// DTMF digits received in this call, in order.
    public var dtmfReceived: String
    /// Why the last call ended (kept while idle, until the next call).
    public var lastEnded: String?

    /// Creates a call status.
    public init(state: String, device: String? = nil, deviceName: String? = nil, since: Double? = nil, input: String? = nil,
                output: String? = nil, framesSent: Int = 0, framesPlayed: Int = 0, concealedShare: Double = 0,
                dtmfReceived: String = "", lastEnded: String? = nil) {
        self.state = state; self.device = device; self.deviceName = deviceName; self.since = since; self.input = input
        self.output = output; self.framesSent = framesSent; self.framesPlayed = framesPlayed; self.concealedShare = concealedShare
        self.dtmfReceived = dtmfReceived; self.lastEnded = lastEnded
    }

    /// No call.
    public static let idle = CallStatus(state: "idle")
}

/// Body of `POST /call`: ring a device.
public struct CallRequest: Codable, Sendable, Equatable {
    /// The device to call: its ID, a unique ID prefix, or its name.
    public var device: String
    /// The audio input: `tone:<Hz>`, a WAV file path (absolute), `null`, or `default` (the sound
    /// server when there is one, else silence).
    public var input: String?
    /// The audio output: a WAV file path (absolute, written as the call goes, completed when it ends), `null`, or `default`.
    public var output: String?
    /// Creates the request.
    public init(device: String, input: String? = nil, output: String? = nil) {
        self.device = device; self.input = input; self.output = output
    }
}

/// Body of `POST /call/accept`: take the ringing call with this input and output.
public struct CallAnswerRequest: Codable, Sendable, Equatable {
    /// The audio input (see ``CallRequest/input``).
    public var input: String?
    /// The audio output (see ``CallRequest/output``).
    public var output: String?
    /// Creates the request.
    public init(input: String? = nil, output: String? = nil) { self.input = input; self.output = output }
}

/// Body of `POST /call/dtmf`: send DTMF digits as RFC 4733 telephone-events.
public struct DTMFRequest: Codable, Sendable, Equatable {
    /// The digits (`0-9 * # A-D`, `,` pauses 2 s).
    public var digits: String
    /// Tone length in ms (40–6000; default 100).
    public var durationMilliseconds: Int?
    /// Gap between tones in ms (30–6000; default 70).
    public var gapMilliseconds: Int?
    /// Creates the request.
    public init(digits: String, durationMilliseconds: Int? = nil, gapMilliseconds: Int? = nil) {
        self.digits = digits; self.durationMilliseconds = durationMilliseconds; self.gapMilliseconds = gapMilliseconds
    }
}
