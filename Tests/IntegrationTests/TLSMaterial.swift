import Foundation

/// Certificates made with openssl at test time: a CA, a server certificate for 127.0.0.1 and a
/// client certificate, plus a second CA that signed nothing here (an untrusted one).
struct TLSMaterial {
    let folder: URL
    var caCertificate: String { folder.appendingPathComponent("ca.pem").path }
    var otherCACertificate: String { folder.appendingPathComponent("other-ca.pem").path }
    var serverCertificate: String { folder.appendingPathComponent("server.pem").path }
    var serverKey: String { folder.appendingPathComponent("server-key.pem").path }
    var clientCertificate: String { folder.appendingPathComponent("client.pem").path }
    var clientKey: String { folder.appendingPathComponent("client-key.pem").path }

    static func make() throws -> TLSMaterial {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "calico-shell-tls-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(folder.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \\
                -keyout ca-key.pem -out ca.pem 2>/dev/null
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \\
                -keyout other-ca-key.pem -out other-ca.pem 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\n' > server.ext
            openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \\
                -extfile server.ext -out server.pem 2>/dev/null
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            openssl req -newkey rsa:2048 -nodes -subj /CN=root -keyout client-key.pem -out client.csr 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \\
                -extfile client.ext -out client.pem 2>/dev/null
            """
        let process = try ChildProcess("/bin/sh", ["-c", script])
        guard process.wait(seconds: 60) == 0 else {
            process.signal(SIGKILL)
            throw NSError(
                domain: "openssl",
                code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "openssl failed"]
            )
        }
        return TLSMaterial(folder: folder)
    }
}
