import Foundation

/// Which calicoctl config file to read, as calicoctl chooses: the one `--config` names (it must exist),
/// else `/etc/calico/calicoctl.cfg` when it exists, else none.
public struct ConfigFileChoice: Equatable, Sendable {
    public var file: CalicoctlConfigFile?
    /// For `--show-config`: the path (or why there is none) and how it was chosen.
    public var value: String
    public var source: String

    public static func choose(
        explicit: String?,
        defaultPath: String = CalicoctlConfigFile.defaultPath
    )
        throws(ConfigFileError) -> ConfigFileChoice
    {
        if let explicit {
            return ConfigFileChoice(
                file: try CalicoctlConfigFile.load(path: explicit),
                value: explicit,
                source: SettingSource.flag("--config").description
            )
        }
        // A path that exists as anything (even a directory) is calicoctl's to read: load says what is wrong.
        guard FileManager.default.fileExists(atPath: defaultPath) else {
            return ConfigFileChoice(file: nil, value: "(none: \(defaultPath) does not exist)", source: "")
        }
        return ConfigFileChoice(
            file: try CalicoctlConfigFile.load(path: defaultPath),
            value: defaultPath,
            source: SettingSource.builtIn.description
        )
    }
}
