@testable import Pairing
import Testing

/// RFC 9382 Appendix B: the four SPAKE2-P256-SHA256-HKDF-HMAC test vectors.
@Suite struct SPAKE2VectorTests {
    struct Vector: Sendable, CustomStringConvertible {
        let a, b, w, x, y, pA, pB, k, ke, ka, kcA, kcB, cA, cB: String
        var description: String { "A='\(a)', B='\(b)'" }
    }

    static let vectors: [Vector] = [
        Vector(a: "server", b: "client",
               w: "2ee57912099d31560b3a44b1184b9b4866e904c49d12ac5042c97dca461b1a5f",
               x: "43dd0fd7215bdcb482879fca3220c6a968e66d70b1356cac18bb26c84a78d729",
               y: "dcb60106f276b02606d8ef0a328c02e4b629f84f89786af5befb0bc75b6e66be",
               pA: "04a56fa807caaa53a4d28dbb9853b9815c61a411118a6fe516a8798434751470f9010153ac33d0d5f2047ffdb1a3e42c9b4e6be662766e1eeb4116988ede5f912c",
               pB: "0406557e482bd03097ad0cbaa5df82115460d951e3451962f1eaf4367a420676d09857ccbc522686c83d1852abfa8ed6e4a1155cf8f1543ceca528afb591a1e0b7",
               k: "0412af7e89717850671913e6b469ace67bd90a4df8ce45c2af19010175e37eed69f75897996d539356e2fa6a406d528501f907e04d97515fbe83db277b715d3325",
               ke: "0e0672dc86f8e45565d338b0540abe69", ka: "15bdf72e2b35b5c9e5663168e960a91b",
               kcA: "00c12546835755c86d8c0db7851ae86f", kcB: "a9fa3406c3b781b93d804485430ca27a",
               cA: "58ad4aa88e0b60d5061eb6b5dd93e80d9c4f00d127c65b3b35b1b5281fee38f0",
               cB: "d3e2e547f1ae04f2dbdbf0fc4b79f8ecff2dff314b5d32fe9fcef2fb26dc459b"),
        Vector(a: "", b: "client",
               w: "0548d8729f730589e579b0475a582c1608138ddf7054b73b5381c7e883e2efae",
               x: "403abbe3b1b4b9ba17e3032849759d723939a27a27b9d921c500edde18ed654b",
               y: "903023b6598908936ea7c929bd761af6039577a9c3f9581064187c3049d87065",
               pA: "04a897b769e681c62ac1c2357319a3d363f610839c4477720d24cbe32f5fd85f44fb92ba966578c1b712be6962498834078262caa5b441ecfa9d4a9485720e918a",
               pB: "04e0f816fd1c35e22065d5556215c097e799390d16661c386e0ecc84593974a61b881a8c82327687d0501862970c64565560cb5671f696048050ca66ca5f8cc7fc",
               k: "048f83ec9f6e4f87cc6f9dc740bdc2769725f923364f01c84148c049a39a735ebda82eac03e00112fd6a5710682767cff5361f7e819e53d8d3c3a2922e0d837aa6",
               ke: "642f05c473c2cd79909f9a841e2f30a7", ka: "0bf89b18180af97353ba198789c2b963",
               kcA: "c6be376fc7cd1301fd0a13adf3e7bffd", kcB: "b7243f4ae60440a49b3f8cab3c1fba07",
               cA: "47d29e6666af1b7dd450d571233085d7a9866e4d49d2645e2df975489521232b",
               cB: "3313c5cefc361d27fb16847a91c2a73b766ffa90a4839122a9b70a2f6bd1d6df"),
        Vector(a: "server", b: "",
               w: "626e0cdc7b14c9db3e52a0b1b3a768c98e37852d5db30febe0497b14eae8c254",
               x: "07adb3db6bc623d3399726bfdbfd3d15a58ea776ab8a308b00392621291f9633",
               y: "b6a4fc8dbb629d4ba51d6f91ed1532cf87adec98f25dd153a75accafafedec16",
               pA: "04f88fb71c99bfffaea370966b7eb99cd4be0ff1a7d335caac4211c4afd855e2e15a873b298503ad8ba1d9cbb9a392d2ba309b48bfd7879aefd0f2cea6009763b0",
               pB: "040c269d6be017dccb15182ac6bfcd9e2a14de019dd587eaf4bdfd353f031101e7cca177f8eb362a6e83e7d5e729c0732e1b528879c086f39ba0f31a9661bd34db",
               k: "0445ee233b8ecb51ebd6e7da3f307e88a1616bae2166121221fdc0dadb986afaf3ec8a988dc9c626fa3b99f58a7ca7c9b844bb3e8dd9554aafc5b53813504c1cbe",
               ke: "005184ff460da2ce59062c87733c299c", ka: "3521297d736598fc0a1127600efa1afb",
               kcA: "f3da53604f0aeecea5a33be7bddf6edf", kcB: "9e3f86848736f159bd92b6e107ec6799",
               cA: "bc9f9bbe99f26d0b2260e6456e05a86196a3307ec6663a18bf6ac825736533b2",
               cB: "c2370e1bf813b086dff0d834e74425a06e6390f48f5411900276dcccc5a297ec"),
        Vector(a: "", b: "",
               w: "7bf46c454b4c1b25799527d896508afd5fc62ef4ec59db1efb49113063d70cca",
               x: "8cef65df64bb2d0f83540c53632de911b5b24b3eab6cc74a97609fd659e95473",
               y: "d7a66f64074a84652d8d623a92e20c9675c61cb5b4f6a0063e4648a2fdc02d53",
               pA: "04a65b367a3f613cf9f0654b1b28a1e3a8a40387956c8ba6063e8658563890f46ca1ef6a676598889fc28de2950ab8120b79a5ef1ea4c9f44bc98f585634b46d66",
               pB: "04589f13218822710d98d8b2123a079041052d9941b9cf88c6617ddb2fcc0494662eea8ba6b64692dc318250030c6af045cb738bc81ba35b043c3dcb46adf6f58d",
               k: "041a3c03d51b452537ca2a1fea6110353c6d5ed483c4f0f86f4492ca3f378d40a994b4477f93c64d928edbbcd3e85a7c709b7ea73ee97986ce3d1438e135543772",
               ke: "fc6374762ba5cf11f4b2caa08b2cd1b9", ka: "907ae0e26e8d6234318d91583cd74c86",
               kcA: "5dbd2f477166b7fb6d61febbd77a5563", kcB: "7689b4654407a5faeffdc8f18359d8a3",
               cA: "dfb4db8d48ae5a675963ea5e6c19d98d4ea028d8e898dad96ea19a80ade95dca",
               cB: "d0f0609d1613138d354f7e95f19fb556bf52d751947241e8c7118df5ef0ae175"),
    ]

    static func hex(_ s: String) -> [UInt8] { SPAKE2.hex(s) }
    static func hexString(_ b: [UInt8]) -> String {
        b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test(arguments: vectors)
    func reproducesAppendixB(_ v: Vector) throws {
        let a = try SPAKE2(role: .a, w: Self.hex(v.w), secret: Self.hex(v.x),
                           identityA: Array(v.a.utf8), identityB: Array(v.b.utf8))
        let b = try SPAKE2(role: .b, w: Self.hex(v.w), secret: Self.hex(v.y),
                           identityA: Array(v.a.utf8), identityB: Array(v.b.utf8))
        #expect(Self.hexString(a.share) == v.pA)
        #expect(Self.hexString(b.share) == v.pB)
        let keysA = try a.finish(peerShare: b.share)
        let keysB = try b.finish(peerShare: a.share)
        let expectedTT = SPAKE2.transcript(identityA: Array(v.a.utf8), identityB: Array(v.b.utf8), pA: Self.hex(v.pA),
                                           pB: Self.hex(v.pB), k: Self.hex(v.k), w: Self.hex(v.w))
        #expect(keysA.transcript == expectedTT, "TT embeds the vector's K")
        #expect(keysB.transcript == expectedTT)
        for keys in [keysA, keysB] {
            #expect(Self.hexString(keys.sharedKey) == v.ke)
            #expect(Self.hexString(keys.confirmationSecret) == v.ka)
            #expect(Self.hexString(keys.confirmationKeyA) == v.kcA)
            #expect(Self.hexString(keys.confirmationKeyB) == v.kcB)
            #expect(Self.hexString(keys.confirmationA) == v.cA)
            #expect(Self.hexString(keys.confirmationB) == v.cB)
        }
        #expect(keysA.verifyPeerConfirmation(keysB.ownConfirmation))
        #expect(keysB.verifyPeerConfirmation(keysA.ownConfirmation))
        #expect(!keysA.verifyPeerConfirmation(keysA.ownConfirmation), "own MAC is not accepted as the peer's")
    }

    @Test func transcriptLayoutMatchesTheRFCText() {
        // The first vector's TT as printed in RFC 9382 Appendix B begins with
        // len("server") as 8 bytes little-endian, then "server", then len("client")…
        let tt = SPAKE2.transcript(identityA: Array("server".utf8), identityB: Array("client".utf8),
                                   pA: [4], pB: [4], k: [4], w: [1, 2])
        #expect(Self.hexString(Array(tt.prefix(28))) == "0600000000000000736572766572" + "0600000000000000636c69656e74")
        #expect(Array(tt.suffix(10)) == [2, 0, 0, 0, 0, 0, 0, 0, 1, 2])
    }

    @Test func badSharesAreRejected() throws {
        let v = Self.vectors[0]
        let a = try SPAKE2(role: .a, w: Self.hex(v.w), secret: Self.hex(v.x))
        #expect(throws: SPAKE2Error.invalidPeerShare) { try a.finish(peerShare: [UInt8](repeating: 0, count: 65)) }
        var offCurve = Self.hex(v.pB)
        offCurve[64] ^= 1
        #expect(throws: SPAKE2Error.invalidPeerShare) { try a.finish(peerShare: offCurve) }
        #expect(throws: SPAKE2Error.invalidPeerShare) { try a.finish(peerShare: Array(Self.hex(v.pB).prefix(33))) }
        #expect(throws: SPAKE2Error.reflectedShare) { try a.finish(peerShare: a.share) }
        // A share equal to w·N makes K the identity.
        let b = try SPAKE2(role: .b, w: Self.hex(v.w), secret: Self.hex(v.y))
        let p = P256()
        let n: P256.Point = try #require(p.point(SPAKE2.pointN))
        let wN = try #require(p.encode(p.multiply(generator: nil, point: n, by: Self.hex(v.w))))
        #expect(throws: SPAKE2Error.identityKey) { try a.finish(peerShare: wN) }
        _ = b
        #expect(throws: SPAKE2Error.invalidScalar) {
            try SPAKE2(role: .a, w: Self.hex(v.w), secret: [UInt8](repeating: 0, count: 32))
        }
        #expect(throws: SPAKE2Error.invalidScalar) {
            try SPAKE2(role: .a, w: [UInt8](repeating: 0xFF, count: 32), secret: Self.hex(v.x))
        }
    }
}
