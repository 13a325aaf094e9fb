import Foundation
import Testing

/// Loads the real SDPs under Fixtures/ (captured from Chromium 156, Firefox ESR 153 and aiortc;
/// see contrib/fixtures-gen/).
enum Fixtures {
    static let names: [String] = [
        "aiortc-datachannel-offer", "aiortc-datachannel-answer", "aiortc-av-offer", "aiortc-av-answer",
        "chromium-datachannel-offer", "chromium-datachannel-answer", "chromium-av-offer", "chromium-av-answer",
        "firefox-datachannel-offer", "firefox-datachannel-answer", "firefox-av-offer", "firefox-av-answer",
    ]

    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "sdp", subdirectory: "Fixtures"),
                               "missing fixture \(name)")
        return [UInt8](try Data(contentsOf: url))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }
}
