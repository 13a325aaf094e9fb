import COpenSSL
import Testing

@Suite struct OpenSSLShimTests {
    @Test func versionIsAtLeast3() {
        #expect(OpenSSL_version_num() >= 0x3000_0000)
        #expect(OPENSSL_version_major() >= 3)
    }

    @Test func sha256OfABC() throws {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let input = Array("abc".utf8)
        let ok = EVP_Digest(input, input.count, &digest, &length, EVP_sha256(), nil)
        #expect(ok == 1)
        #expect(length == 32)
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func macroShimsWork() throws {
        let ctx = try #require(SSL_CTX_new(DTLS_method()))
        defer { SSL_CTX_free(ctx) }
        #expect(CShim_SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1)
        _ = SSL_CTX_set_options(ctx, CShim_SSL_OP_NO_QUERY_MTU())
        #expect(SSL_CTX_get_options(ctx) & CShim_SSL_OP_NO_QUERY_MTU() != 0)
        let key = try #require(CShim_generate_ec_p256())
        defer { EVP_PKEY_free(key) }
        #expect(EVP_PKEY_get_bits(key) == 256)
    }
}
