import ArgumentParser
import ShellCore

/// The benchmarks' baseline: raw etcd calls from one keep-alive gRPC client, with none of the shell
/// around them. Prints `mean_us p50_us` for one call.
enum RawBenchmark {
    enum Operation: String, ExpressibleByArgument { case get, put }

    static func run(_ operation: Operation, count: Int, key: String, store: (any KeyValueStore)?, output: StandardStreams) async -> Int32 {
        guard let store else {
            output.standardError("calico-shell: cannot set up the etcd client\n")
            return 1
        }
        do {
            let value = Array(#"{"bench":true}"#.utf8)
            _ = try await store.commit(Transaction(operations: [.put(key: key, value: value)]))
            let clock = ContinuousClock()
            var samples: [Duration] = []
            samples.reserveCapacity(count)
            for _ in 0..<count {
                let start = clock.now
                switch operation {
                case .get: _ = try await store.get(key)
                case .put: _ = try await store.commit(Transaction(operations: [.put(key: key, value: value)]))
                }
                samples.append(clock.now - start)
            }
            samples.sort()
            let micros = { (d: Duration) in Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
            let mean = samples.map(micros).reduce(0, +) / Double(max(count, 1))
            output.standardOutput("\(Int(mean)) \(Int(micros(samples[samples.count / 2])))\n")
            return 0
        } catch {
            output.standardError("calico-shell: \(Executor.shellError(error))\n")
            return 1
        }
    }
}

