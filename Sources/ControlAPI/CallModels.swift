/// Where one voice call of this device stands (`GET /call`, each of `GET /calls`, and `calls`
/// in `GET /status`).
public struct CallStatus: Codable, Sendable, Equatable {
    /// The call's id (nil when idle): it names the call in `syncctl call hangup <call>` like the device does.
    public var id: String?
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
    public init(id: String? = nil, state: String, device: String? = nil, deviceName: String? = nil, since: Double? = nil, input: String? = nil,
                output: String? = nil, framesSent: Int = 0, framesPlayed: Int = 0, concealedShare: Double = 0,
                dtmfReceived: String = "", lastEnded: String? = nil) {
        self.id = id; self.state = state; self.device = device; self.deviceName = deviceName; self.since = since; self.input = input
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
    /// Which call (see ``CallTargetRequest/call``); nil when only one is ringing.
    public var call: String?
    /// Creates the request.
    public init(input: String? = nil, output: String? = nil, call: String? = nil) {
        self.input = input; self.output = output; self.call = call
    }
}

/// Body of `POST /call/reject` and `POST /call/hangup`: which call (an empty body means the only one).
public struct CallTargetRequest: Codable, Sendable, Equatable {
    /// The call's id, or the other device's name, ID or unique ID prefix; nil when there is only one call it can be.
    public var call: String?
    /// Creates the request.
    public init(call: String? = nil) { self.call = call }
}

/// Body of `POST /call/dtmf`: send DTMF digits as RFC 4733 telephone-events.
public struct DTMFRequest: Codable, Sendable, Equatable {
    /// The digits (`0-9 * # A-D`, `,` pauses 2 s).
    public var digits: String
    /// Tone length in ms (40–6000; default 100).
    public var durationMilliseconds: Int?
    /// Gap between tones in ms (30–6000; default 70).
    public var gapMilliseconds: Int?
    /// Which call (see ``CallTargetRequest/call``); nil when only one is active.
    public var call: String?
    /// Creates the request.
    public init(digits: String, durationMilliseconds: Int? = nil, gapMilliseconds: Int? = nil, call: String? = nil) {
        self.digits = digits; self.durationMilliseconds = durationMilliseconds; self.gapMilliseconds = gapMilliseconds
        self.call = call
    }
}
