/// Endpoint values of every shape a `--detailed` row meets: values `DetailedRows` copies as bytes,
/// and values it must hand to the string path (escapes, text that is not ASCII, two addresses of a
/// family to sort, values that cannot be read). Shared by the tests of both ways of laying out rows.
enum DetailedValueShapes {
    static let all: [String] = [
        #"{"state":"active","name":"cali1","mac":"ee:ee:00:00:00:01","profile_ids":["web","db"],"#
            + #""ipv4_nets":["10.0.0.1/32"],"ipv6_nets":["fd00::1/128"],"labels":{}}"#,
        #"{"state":"active","name":"cali2","mac":null,"profile_id":"only","ipv4_nets":[],"ipv6_nets":null}"#,
        #"{}"#,
        #"{"profile_ids":[],"ipv4_nets":["10.0.0.10/32","10.0.0.9/32"]}"#,
        #"{"ipv6_nets":["fd00::10/128","fd00::9/128"],"ipv4_nets":["192.168.0.1/32"]}"#,
        #"{"name":"a\"b","profile_ids":["esc\u0041ped"]}"#,
        #"{"name":"café","profile_ids":["日本"],"state":"up"}"#,
        #"{"state":1}"#,
        #"not json"#,
        #"{"other":"member","profile_ids":["p"]}"#,
        #"{"state":"a","state":"b","mac":"x"}"#,
        #" { "state" : "spaced" , "labels" : { "k" : "v" } } "#,
        "{\"name\":\"tab\\tinside\"}",
        "",
    ]
}
