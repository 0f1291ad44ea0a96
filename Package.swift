// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "calico-shell",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "calico-shell", targets: ["CalicoShell"]),
        // Developer tools (demo data, bulk loading, raw benchmarks): built here, never installed.
        .executable(name: "calico-shell-dev", targets: ["CalicoShellDev"]),
        .library(name: "ShellCore", targets: ["ShellCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        // calicoctl's configuration file is YAML: parsed by a real parser (libyaml inside).
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        // etcd's v2 API is HTTP/JSON: spoken through a well-kept HTTP client (TLS, keep-alive, pooling).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // libedit, reached through a small C shim: Swift cannot call its variadic el_set/history.
        .target(
            name: "CEdit",
            linkerSettings: [.linkedLibrary("edit")]
        ),
        // The C library's wcwidth, which Swift's Glibc module does not declare.
        .target(name: "CWidth"),
        // Everything testable: grammar, model, etcd client, index, commands, rendering, completion, scripts.
        .target(
            name: "ShellCore",
            dependencies: [
                "CWidth",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            exclude: ["Etcd/Generated/etcd.proto"]
        ),
        // The `calico-shell` executable: arguments, terminal, main loop. Thin on purpose.
        .executableTarget(
            name: "CalicoShell",
            dependencies: [
                "ShellCore",
                "CEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Sample data, the bulk loader and the raw benchmark: for calico-shell-dev and the tests.
        .target(name: "ShellDevTools", dependencies: ["ShellCore"]),
        // `calico-shell-dev`: loads demo and synthetic data, measures raw etcd calls.
        .executableTarget(
            name: "CalicoShellDev",
            dependencies: [
                "ShellCore",
                "ShellDevTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Test doubles (an in-memory store, captured output): for the tests only, in no product.
        .target(name: "ShellTesting", dependencies: ["ShellCore"]),
        .testTarget(
            name: "ShellCoreTests",
            dependencies: [
                "ShellCore", "ShellTesting", "ShellDevTools", .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(name: "IntegrationTests", dependencies: ["ShellCore", "ShellTesting", "ShellDevTools"]),
    ]
)
