import Foundation
import GRPCNIOTransportHTTP2
import NIOSSL

/// Mutual TLS from etcdctl's `--cacert/--cert/--key`: files are checked up front so that a typo gives
/// a clear error instead of a failed handshake later.
enum TLSSetup {
    /// Checks the TLS options against the endpoints and that every file can be read.
    static func check(_ configuration: EtcdConfiguration) throws(EtcdError) {
        let files = configuration.tls
        guard configuration.usesTLS else {
            if files.caCertificate != nil || files.certificate != nil || files.key != nil || files.skipVerify {
                throw .configuration(
                    "TLS options were given but the etcd endpoints are http://; use https:// endpoints"
                )
            }
            return
        }
        for (path, name) in [
            (files.caCertificate, "CA certificate"), (files.certificate, "client certificate"),
            (files.key, "client key"),
        ] {
            guard let path else { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw .configuration("cannot read the \(name) file \(path): it is a directory")
            }
            if !FileManager.default.isReadableFile(atPath: path) {
                throw .configuration("cannot read the \(name) file \(path)")
            }
        }
        // What would otherwise fail only when connecting, with a TLS library's words.
        for (path, name) in [(files.caCertificate, "CA certificate"), (files.certificate, "client certificate")] {
            if let path, ((try? NIOSSLCertificate.fromPEMFile(path)) ?? []).isEmpty {
                throw .configuration("cannot use the \(name) file \(path): it holds no PEM certificate")
            }
        }
        if let key = files.key, (try? NIOSSLPrivateKey(file: key, format: .pem)) == nil {
            throw .configuration("cannot use the client key file \(key): it holds no PEM private key")
        }
        if (files.certificate == nil) != (files.key == nil) {
            throw .configuration("a client certificate needs its key: give both --cert and --key")
        }
    }

    static func transportSecurity(
        for configuration: EtcdConfiguration
    ) throws(EtcdError) -> HTTP2ClientTransport.Posix.TransportSecurity {
        try check(configuration)
        guard configuration.usesTLS else { return .plaintext }
        let files = configuration.tls
        return .tls { tls in
            if let ca = files.caCertificate {
                tls.trustRoots = .certificates([.file(path: ca, format: .pem)])
            }
            if let certificate = files.certificate, let key = files.key {
                tls.certificateChain = [.file(path: certificate, format: .pem)]
                tls.privateKey = .file(path: key, format: .pem)
            }
            tls.serverCertificateVerification = files.skipVerify ? .noVerification : .fullVerification
        }
    }
}
