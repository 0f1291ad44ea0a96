import Foundation
import Yams

/// calicoctl's client configuration file, `/etc/calico/calicoctl.cfg` by default, in either shape
/// operators have (YAML, or JSON, which YAML reads too):
///
///     apiVersion: v1                               apiVersion: projectcalico.org/v3
///     kind: calicoApiConfig                        kind: CalicoAPIConfig
///     metadata:                                    metadata:
///     spec:                                        spec:
///       datastoreType: etcdv2                        datastoreType: etcdv3
///       etcdEndpoints: http://etcd1:2379             etcdEndpoints: https://etcd1:2379,https://etcd2:2379
///       etcdUsername: calico                         etcdCACertFile: /etc/calico/ca.pem
///
/// Only the etcd fields are kept. Other `spec` fields (calicoctl's Kubernetes ones) are ignored, as
/// calicoctl ignores the fields of the datastore it does not use. Empty values count as not set.
public struct CalicoctlConfigFile: Equatable, Sendable {
    public enum Shape: String, Equatable, Sendable {
        /// `apiVersion: v1`, `kind: calicoApiConfig` (calicoctl 1.x, Calico v2).
        case v1
        /// `apiVersion: projectcalico.org/v3`, `kind: CalicoAPIConfig` (calicoctl 3.x).
        case v3
    }

    /// Where calicoctl looks when `--config` is not given.
    public static let defaultPath = "/etc/calico/calicoctl.cfg"

    public var path: String
    public var shape: Shape
    public var datastoreType: DatastoreKind?
    public var etcdEndpoints: String?
    public var etcdUsername: String?
    public var etcdPassword: String?
    public var etcdKeyFile: String?
    public var etcdCertFile: String?
    public var etcdCACertFile: String?
    /// Inline PEM text, calicoctl's alternative to the `…File` fields.
    public var etcdKey: String?
    public var etcdCert: String?
    public var etcdCACert: String?

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigFileError) -> CalicoctlConfigFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigFileError(path: path, message: "no such file")
        }
        if isDirectory.boolValue { throw ConfigFileError(path: path, message: "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(path: path, message: "cannot be read (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(path: path, message: "is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a configuration file; `path` is only for messages.
    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> CalicoctlConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigFileError(path: path, line: error.line, message: error.problem)
        } catch {
            throw ConfigFileError(path: path, message: "is not YAML: \(error)")
        }
        guard let root, let top = root.mapping else {
            throw ConfigFileError(
                path: path,
                line: root?.mark?.line ?? 1,
                message: "not a calicoctl configuration: expected apiVersion, kind and spec"
            )
        }
        let fields = FieldReader(path: path, mapping: top)
        let shape = try fields.shape()
        var file = CalicoctlConfigFile(path: path, shape: shape)
        guard let specNode = top["spec"], specNode.null == nil else { return file }
        guard let spec = specNode.mapping else {
            throw ConfigFileError(path: path, line: specNode.mark?.line, message: "spec must be a mapping of settings")
        }
        let settings = FieldReader(path: path, mapping: spec)
        if let (type, line) = try settings.string("datastoreType") {
            do {
                file.datastoreType = try DatastoreKind.parse(type, source: "datastoreType")
            } catch {
                throw ConfigFileError(path: path, line: line, message: error.description)
            }
        }
        if let (_, line) = try settings.string("etcdDiscoverySrv") {
            // Ignoring it would quietly connect to the default endpoint instead.
            throw ConfigFileError(
                path: path,
                line: line,
                message: "etcdDiscoverySrv (DNS SRV discovery) is not supported: give etcdEndpoints"
            )
        }
        file.etcdEndpoints = try settings.string("etcdEndpoints")?.value
        file.etcdUsername = try settings.string("etcdUsername")?.value
        file.etcdPassword = try settings.string("etcdPassword")?.value
        file.etcdKeyFile = try settings.string("etcdKeyFile")?.value
        file.etcdCertFile = try settings.string("etcdCertFile")?.value
        file.etcdCACertFile = try settings.string("etcdCACertFile")?.value
        file.etcdKey = try settings.string("etcdKey")?.value
        file.etcdCert = try settings.string("etcdCert")?.value
        file.etcdCACert = try settings.string("etcdCACert")?.value
        for (fileField, inlineField) in [
            ("etcdKeyFile", "etcdKey"), ("etcdCertFile", "etcdCert"),
            ("etcdCACertFile", "etcdCACert"),
        ] {
            guard try settings.string(fileField) != nil, try settings.string(inlineField) != nil else { continue }
            throw ConfigFileError(
                path: path,
                line: spec[inlineField]?.mark?.line,
                message: "give \(fileField) or \(inlineField), not both"
            )
        }
        return file
    }

    init(path: String, shape: Shape) {
        self.path = path
        self.shape = shape
    }
}

/// Typed access to one mapping of the file, with the line of whatever is wrong.
private struct FieldReader {
    var path: String
    var mapping: Node.Mapping

    /// The value of a scalar field and its line; nil when absent, null or empty.
    func string(_ key: String) throws(ConfigFileError) -> (value: String, line: Int?)? {
        guard let node = mapping[key], node.null == nil else { return nil }
        guard case .scalar(let scalar) = node else {
            throw ConfigFileError(path: path, line: node.mark?.line, message: "\(key) must be a single value")
        }
        return scalar.string.isEmpty ? nil : (scalar.string, node.mark?.line)
    }

    /// `apiVersion` and `kind` must name one of calicoctl's two shapes.
    func shape() throws(ConfigFileError) -> CalicoctlConfigFile.Shape {
        guard let (apiVersion, apiLine) = try string("apiVersion") else {
            throw ConfigFileError(
                path: path,
                line: mapping.mark?.line,
                message: "no apiVersion: expected apiVersion: projectcalico.org/v3 (or v1)"
            )
        }
        let shape: CalicoctlConfigFile.Shape
        let expectedKind: String
        switch apiVersion {
        case "projectcalico.org/v3": (shape, expectedKind) = (.v3, "CalicoAPIConfig")
        case "v1": (shape, expectedKind) = (.v1, "calicoApiConfig")
        default:
            throw ConfigFileError(
                path: path,
                line: apiLine,
                message: "apiVersion '\(apiVersion)' is not calicoctl's: expected "
                    + "projectcalico.org/v3 or v1"
            )
        }
        guard let (kind, kindLine) = try string("kind") else {
            throw ConfigFileError(
                path: path,
                line: mapping.mark?.line,
                message: "no kind: expected kind: \(expectedKind)"
            )
        }
        guard kind == expectedKind else {
            throw ConfigFileError(
                path: path,
                line: kindLine,
                message: "kind '\(kind)' does not go with apiVersion \(apiVersion): "
                    + "expected \(expectedKind)"
            )
        }
        return shape
    }
}

extension YamlError {
    /// The line libyaml names, when it names one.
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return nil
        }
    }

    /// libyaml's words for the problem, without the snippet Yams appends.
    var problem: String {
        switch self {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            return "is not valid YAML: " + (context.map { "\($0.text): " } ?? "") + problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "is not valid YAML: a key is given twice: " + duplicates.joined(separator: ", ")
        default:
            return "is not valid YAML: " + String(describing: self).split(separator: "\n").joined(separator: " ")
        }
    }
}
