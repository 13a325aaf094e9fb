#if canImport(Glibc)
import Glibc
#endif

/// A test certificate authority and a server certificate for 127.0.0.1 / localhost, made with
/// the `openssl` command (Debian's `openssl` package) in a fresh temporary directory, plus a
/// second, unrelated CA to show that verification fails against the wrong one.
struct TestCertificates {
    let directory: String
    var caFile: String { "\(directory)/ca.pem" }
    var otherCAFile: String { "\(directory)/other-ca.pem" }
    var serverCertificateFile: String { "\(directory)/server.pem" }
    var serverKeyFile: String { "\(directory)/server.key" }

    /// Makes the files (P-256 keys, valid for two days).
    static func make() throws -> TestCertificates {
        let openssl = "/usr/bin/openssl"
        guard access(openssl, X_OK) == 0 else {
            throw ChildProcess.Failure(description: "\(openssl) not found: run contrib/setup.sh (it installs Debian's openssl)")
        }
        let directory = try ChildProcess.temporaryDirectory(prefix: "peersync-tls")
        let certificates = TestCertificates(directory: directory)
        try write("\(directory)/server.ext", """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1, DNS:localhost

            """)
        for (name, subject) in [("ca", "/CN=PeerSync test CA"), ("other-ca", "/CN=Some other CA")] {
            try ChildProcess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                  "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2",
                                  "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
                                  "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: directory)
        }
        try ChildProcess.run([openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", certificates.serverKeyFile, "-out", "\(directory)/server.csr",
                              "-subj", "/CN=peersync-rendezvous test server"], in: directory)
        try ChildProcess.run([openssl, "x509", "-req", "-in", "\(directory)/server.csr", "-CA", certificates.caFile,
                              "-CAkey", "\(directory)/ca.key", "-CAcreateserial", "-days", "2",
                              "-extfile", "\(directory)/server.ext", "-out", certificates.serverCertificateFile], in: directory)
        return certificates
    }

    /// Removes the directory.
    func remove() { ChildProcess.removeTree(directory) }

    private static func write(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "w") else { throw ChildProcess.Failure(description: "cannot write \(path)") }
        defer { fclose(file) }
        _ = text.withCString { fputs($0, file) }
    }
}
