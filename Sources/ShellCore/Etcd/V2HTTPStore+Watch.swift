import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The v2 watch: a recursive long-poll (`?wait=true&recursive=true&waitIndex=N`) answered with one
/// event at a time, polled again from that event's index + 1.
///
/// - An index older than v2's event history (the last 1,000 events) answers errorCode 401: the stream
///   ends with `EtcdError.compacted`, and the synchronizer reloads as after a v3 compaction. A
///   directory deleted (or expired) as a whole is one event for all its keys: handled the same way.
/// - Progress (v2 has no progress request): etcd sends a long-poll's headers at once, with
///   `X-Etcd-Index` set to the store's index when it registered the poll, after looking for an event
///   at or after N in its history. When no event follows the headers within `quietAfterHeaders`,
///   there was none up to that index: the watch reports progress to it. A progress request restarts
///   the poll, so that the index it reports is the one of that moment. The window: an event etcd found
///   in its history and was slower than `quietAfterHeaders` to send after the headers would be taken
///   for none (etcd writes both in one go, so this needs a stall of the etcd process in between).
extension V2HTTPStore {
    static let quietAfterHeaders = Duration.milliseconds(40)
    /// A long-poll is sent again after this long without an event (not an error).
    static let pollLifetime = TimeAmount.minutes(5)

    public func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        let (batches, sink) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        let signal = V2ProgressSignal()
        let task = Task {
            do {
                try await self.runWatch(prefix: prefix, from: startRevision, signal: signal, sink: sink)
                sink.finish()
            } catch let error as EtcdError {
                sink.finish(throwing: error)
            } catch {
                sink.finish(throwing: EtcdError.watchEnded(String(describing: error)))
            }
        }
        sink.onTermination = { _ in task.cancel() }
        return WatchSubscription(batches: batches, requestProgress: { signal.request() }, cancel: { task.cancel() })
    }

    private func runWatch(
        prefix: String,
        from start: Int64,
        signal: V2ProgressSignal,
        sink: AsyncThrowingStream<WatchBatch, any Error>.Continuation
    ) async throws {
        // The creation answer: every change before `start` is already in the caller's index.
        sink.yield(WatchBatch(events: [], revision: start - 1, isCreation: true))
        var next = start
        var progressWanted = false
        let operation = "watching \(prefix)"
        while !Task.isCancelled {
            let (response, headers) = try await openPoll(prefix: prefix, from: next, operation: operation)
            if response.status.code != 200 {
                let body = try await response.body.collect(upTo: 1 << 20)
                let error = try? JSONDecoder().decode(V2ErrorBody.self, from: Data(buffer: body))
                if error?.errorCode == V2ErrorBody.eventIndexCleared {
                    throw EtcdError.compacted(revision: error?.index ?? next)
                }
                try Self.check(
                    Reply(status: Int(response.status.code), headers: headers, body: body),
                    operation: operation
                )
            }
            let registeredAt = headers.index ?? (next - 1)
            let cluster = headers.clusterID
            let wanted = progressWanted
            var reported = false
            let outcome = try await withThrowingTaskGroup(of: PollOutcome.self) { group -> PollOutcome in
                group.addTask { .event(try await response.body.collect(upTo: 1 << 28)) }
                if wanted {
                    group.addTask {
                        try await Task.sleep(for: Self.quietAfterHeaders)
                        return .quiet
                    }
                } else {
                    group.addTask {
                        await signal.next()
                        return .progressRequested
                    }
                }
                while let result = try await group.next() {
                    switch result {
                    case .quiet:
                        // No event from `next` up to the index the poll was registered at.
                        sink.yield(WatchBatch(events: [], revision: max(registeredAt, next - 1), clusterID: cluster))
                        reported = true
                        group.addTask {
                            await signal.next()
                            return .progressRequested
                        }
                    case .event, .progressRequested:
                        group.cancelAll()
                        return result
                    }
                }
                throw CancellationError()
            }
            switch outcome {
            case .quiet:
                progressWanted = false
            case .progressRequested:
                // Poll again, so that the index reported is the one of this moment.
                progressWanted = true
            case .event(let body):
                // A report still owed comes from the next poll, after this event.
                progressWanted = wanted && !reported
                next = try deliver(body, cluster: cluster, operation: operation, sink: sink) + 1
            }
        }
    }

    /// Sends the long-poll and returns once etcd's headers are in (the event, if any, follows).
    private func openPoll(
        prefix: String,
        from next: Int64,
        operation: String
    ) async throws -> (HTTPClientResponse, V2Headers) {
        let path = V2KeyPath.url(base: "", key: prefix) + "?wait=true&recursive=true&waitIndex=\(next)"
        while true {
            let member = currentMember()
            var request = HTTPClientRequest(url: configuration.endpoints[member].description + path)
            if let authorization = authorizationHeader {
                request.headers.add(name: "Authorization", value: authorization)
            }
            do {
                // etcd flushes a long-poll's headers at once: a member that sends none within the dial
                // timeout is hung (or cut off), and the watch moves to the next member.
                let http = self.http
                let dialTimeout = configuration.dialTimeout
                let pollRequest = request
                let answered = try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                    group.addTask { try await http.execute(pollRequest, timeout: Self.pollLifetime) }
                    group.addTask {
                        try await Task.sleep(for: dialTimeout)
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
                guard let response = answered else {
                    failOver(from: member)
                    throw EtcdError.watchEnded("\(configuration.endpoints[member]) sent no answer in time")
                }
                if response.status.code == 401 { throw EtcdError.permissionDenied(operation: operation) }
                return (
                    response,
                    V2Headers(
                        index: response.headers.first(name: "X-Etcd-Index"),
                        clusterID: response.headers.first(name: "X-Etcd-Cluster-Id")
                    )
                )
            } catch let error as EtcdError {
                throw error
            } catch {
                // The member is gone: the next one is preferred, and the synchronizer resumes the watch
                // from the last index it applied + 1.
                failOver(from: member)
                throw EtcdError.watchEnded("\(configuration.endpoints[member]) did not answer (\(error))")
            }
        }
    }

    /// Turns one event into a batch; returns its index.
    private func deliver(
        _ body: ByteBuffer,
        cluster: UInt64,
        operation: String,
        sink: AsyncThrowingStream<WatchBatch, any Error>.Continuation
    ) throws -> Int64 {
        let answer: V2Answer
        do {
            answer = try JSONDecoder().decode(V2Answer.self, from: Data(buffer: body))
        } catch {
            // A poll cut off by the member going away: resume from the same index.
            throw EtcdError.watchEnded("the long-poll ended without an event")
        }
        guard let node = answer.node, let index = node.modifiedIndex, let key = node.key else {
            throw EtcdError.watchEnded("etcd sent an event without a key")
        }
        let deletes = ["delete", "compareAndDelete", "expire"].contains(answer.action ?? "")
        if node.dir == true {
            if deletes {
                // One event for every key under it: only a reload knows which keys they were.
                throw EtcdError.compacted(revision: index)
            }
            sink.yield(WatchBatch(events: [], revision: index, clusterID: cluster))
            return index
        }
        let pair = KeyValue(key: key, value: deletes ? [] : Array((node.value ?? "").utf8), modRevision: index)
        sink.yield(
            WatchBatch(
                events: [WatchEvent(kind: deletes ? .delete : .put, pair: pair)],
                revision: index,
                clusterID: cluster
            )
        )
        return index
    }
}

/// How one long-poll ended: an event, a quiet moment after its headers, or a progress request.
private enum PollOutcome: Sendable {
    case event(ByteBuffer)
    case quiet
    case progressRequested
}
