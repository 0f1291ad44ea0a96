import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Inline PEM text from the config file (`etcdCACert`, `etcdCert`, `etcdKey`), handed to the TLS code as
/// a file that no other process can open and that nothing leaves behind: written to a file created with
/// mode 0600 and unlinked at once, then named `/proc/self/fd/N` for as long as this process lives.
enum InlinePEMFile {
    static func path(for text: String, field: String) throws(EtcdError) -> String {
        guard text.contains("-----BEGIN ") else {
            throw .configuration("config file field \(field) holds no PEM text (-----BEGIN ...)")
        }
        var template = Array((NSTemporaryDirectory() + "/calico-shell-pem-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw failure(field)
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                close(descriptor)
                throw failure(field)
            }
            bytes = bytes.dropFirst(written)
        }
        // The descriptor stays open on purpose: the TLS code opens the path when it connects.
        return "/proc/self/fd/\(descriptor)"
    }

    private static func failure(_ field: String) -> EtcdError {
        .configuration("cannot keep \(field) in a private temporary file: \(String(cString: strerror(errno)))")
    }
}

extension ResolvedSettings {
    /// The client configuration these settings describe; `password` is the resolved one or one asked for.
    public func etcdConfiguration(password: String?, dialTimeout: Duration) throws(EtcdError) -> EtcdConfiguration {
        func path(_ setting: Sourced<PEMSetting>?, field: String) throws(EtcdError) -> String? {
            switch setting?.value {
            case .path(let path)?: return path
            case .inline(let text)?: return try InlinePEMFile.path(for: text, field: field)
            case nil: return nil
            }
        }
        let tls = EtcdConfiguration.TLSFiles(
            caCertificate: try path(caCertificate, field: "etcdCACert"),
            certificate: try path(certificate, field: "etcdCert"),
            key: try path(key, field: "etcdKey"),
            skipVerify: skipVerify
        )
        let credentials = user.map { EtcdConfiguration.Credentials(user: $0.value, password: password ?? "") }
        return EtcdConfiguration(
            endpoints: endpoints.value,
            tls: tls,
            credentials: credentials,
            dialTimeout: dialTimeout,
            datastore: requestedDatastore
        )
    }
}
