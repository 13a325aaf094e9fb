import WireKit

/// The pair currently carrying data, kept outside the checklist so it survives an ICE restart.
struct SelectedPair: Sendable {
    var pair: CandidatePair
    var route: SendRoute
    /// The credentials of the generation the pair was selected in (consent checks use them).
    var local: ICECredentials
    var remote: ICECredentials
    var generation: Int
    var lastConsent: Instant
    var nextConsentCheck: Instant
    var consentInFlight = false
}
