/// Work queue and rate limiter: de-duplication, dirty re-queue, delays, backoff, metrics.
import KubeRuntime
import Testing

@Suite struct RateLimiterTests {
    @Test func exponentialBackoffDoublesFromFiveMillisecondsAndCaps() {
        var l = ItemExponentialBackoff<String>()
        let delays = (0..<5).map { _ in l.when("a", now: .zero) }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        #expect(l.numRequeues("a") == 5)
        let r1 = l.when("b", now: .zero)
        #expect(r1 == .milliseconds(5))
        for _ in 0..<40 { _ = l.when("a", now: .zero) }
        let r2 = l.when("a", now: .zero)
        #expect(r2 == .seconds(1000))
        for _ in 0..<2000 { _ = l.when("c", now: .zero) }
        let r3 = l.when("c", now: .zero)
        #expect(r3 == .seconds(1000))
        l.forget("a")
        #expect(l.numRequeues("a") == 0)
        let r4 = l.when("a", now: .zero)
        #expect(r4 == .milliseconds(5))
    }

    @Test func defaultLimiterTakesTheLargerOfBackoffAndBucket() {
        var l = DefaultControllerRateLimiter<Int>()
        // The burst of 100 lets distinct keys through at their first-failure backoff.
        for i in 0..<100 { let r5 = l.when(i, now: .zero); #expect(r5 == .milliseconds(5)) }
        // The 101st reservation waits for a token at 10 qps: 100 ms.
        let r6 = l.when(1000, now: .zero)
        #expect(r6 == .milliseconds(100))
        let r7 = l.when(1001, now: .zero)
        #expect(r7 == .milliseconds(200))
        // After the bucket refills, the per-item backoff dominates again.
        let r8 = l.when(0, now: .seconds(100))
        #expect(r8 == .milliseconds(10))
    }
}

@Suite struct WorkQueueCoreTests {
    @Test func deduplicatesQueuedKeys() {
        var q = WorkQueueCore<String>()
        let r9 = q.add("a", now: .zero)
        #expect(r9)
        let r10 = q.add("a", now: .zero)
        #expect(!r10)
        q.add("b", now: .zero)
        #expect(q.depth == 2)
        let r11 = q.pop(now: .zero)
        #expect(r11?.key == "a")
        let r12 = q.pop(now: .zero)
        #expect(r12?.key == "b")
        let r13 = q.pop(now: .zero)
        #expect(r13 == nil)
    }

    @Test func keyAddedWhileProcessingIsRequeuedOnlyAfterDone() {
        var q = WorkQueueCore<String>()
        q.add("a", now: .zero)
        let r14 = q.pop(now: .zero)
        #expect(r14?.key == "a")
        let r15 = q.add("a", now: .zero)
        #expect(r15)
        let r16 = q.add("a", now: .zero)
        #expect(!r16)
        let r17 = q.pop(now: .zero)
        #expect(r17 == nil, "a processing key must not be handed out again")
        let r18 = q.done("a", now: .milliseconds(3))
        #expect(r18 == .milliseconds(3))
        #expect(q.depth == 1)
        let r19 = q.pop(now: .zero)
        #expect(r19?.key == "a")
        q.done("a", now: .zero)
        #expect(q.depth == 0)
    }

    @Test func delayedAddsKeepTheEarliestDeadline() {
        var q = WorkQueueCore<String>()
        q.add("a", after: .seconds(10), now: .zero)
        q.add("a", after: .seconds(5), now: .zero)
        q.add("a", after: .seconds(20), now: .zero)
        q.add("b", after: .seconds(7), now: .zero)
        let r20 = q.nextDeadline()
        #expect(r20 == .seconds(5))
        let r21 = q.pop(now: .seconds(4))
        #expect(r21 == nil)
        let first = q.pop(now: .seconds(5))
        #expect(first?.key == "a")
        #expect(first?.waited == .zero)
        let r22 = q.pop(now: .seconds(6))
        #expect(r22 == nil)
        let r23 = q.pop(now: .seconds(8))
        #expect(r23?.key == "b")
        let r24 = q.nextDeadline()
        #expect(r24 == nil, "the superseded 10 s and 20 s entries must not fire")
    }

    @Test func shutdownDropsDelayedKeysButHandsOutQueuedOnes() {
        var q = WorkQueueCore<String>()
        q.add("a", now: .zero)
        q.add("b", after: .seconds(1), now: .zero)
        q.shutDown()
        let r25 = q.add("c", now: .zero)
        #expect(!r25)
        let r26 = q.pop(now: .seconds(2))
        #expect(r26?.key == "a")
        let r27 = q.pop(now: .seconds(2))
        #expect(r27 == nil)
    }

    @Test func manyKeysComeOutInFIFOOrder() {
        var q = WorkQueueCore<Int>()
        for i in 0..<5000 { q.add(i, now: .zero) }
        var out: [Int] = []
        while let item = q.pop(now: .zero) { out.append(item.key) }
        #expect(out == Array(0..<5000))
    }
}

@Suite struct WorkQueueTests {
    @Test func getWaitsForAnAddAndShutdownWakesIt() async {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        async let got = q.get()
        q.add("x")
        #expect(await got == "x")
        q.done("x")
        async let none = q.get()
        q.shutDown()
        #expect(await none == nil)
    }

    @Test func delayedAddBecomesReadyWhenTheClockAdvances() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(name: "t", clock: clock)
        q.add("later", after: .seconds(30))
        async let got = q.get()
        // Wait until the getter sleeps on the clock, then move time.
        try await poll { clock.sleeperCount > 0 }
        clock.advance(by: .seconds(29))
        #expect(q.depth == 0)
        clock.advance(by: .seconds(1))
        #expect(await got == "later")
    }

    @Test func rateLimitedRetriesFollowTheBackoffAndCountRetries() async throws {
        let clock = ManualClock()
        let metrics = MetricsRegistry()
        let q = WorkQueue<String>(name: "rl", clock: clock, metrics: metrics)
        q.addRateLimited("k")
        q.addRateLimited("k")
        #expect(q.numRequeues("k") == 2)
        // Earliest deadline wins: the first retry at 5 ms.
        clock.advance(by: .milliseconds(5))
        #expect(await q.get() == "k")
        #expect(metrics.value("workqueue_retries_total", ["name": "rl"]) == 2)
        q.forget("k")
        #expect(q.numRequeues("k") == 0)
    }

    @Test func shutDownWithDrainWaitsForProcessingKeys() async throws {
        let q = WorkQueue<String>(name: "t", clock: ManualClock())
        q.add("a")
        let key = await q.get()
        #expect(key == "a")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await q.shutDownWithDrain() }
            try await poll { q.isShuttingDown }
            #expect(q.processingCount == 1)
            q.done("a")
            try await group.waitForAll()
        }
        #expect(q.processingCount == 0)
    }

    @Test func metricsUseControllerRuntimeNames() async {
        let clock = ManualClock()
        let metrics = MetricsRegistry()
        let q = WorkQueue<String>(name: "m", clock: clock, metrics: metrics)
        q.add("a")
        q.add("a")
        q.add("b")
        #expect(metrics.value("workqueue_adds_total", ["name": "m"]) == 2)
        #expect(metrics.value("workqueue_depth", ["name": "m"]) == 2)
        clock.advance(by: .seconds(2))
        _ = await q.get()
        #expect(metrics.observationCount("workqueue_queue_duration_seconds", ["name": "m"]) == 1)
        clock.advance(by: .seconds(3))
        let text = metrics.render()
        #expect(text.contains("workqueue_longest_running_processor_seconds{name=\"m\"} 3"))
        #expect(text.contains("workqueue_unfinished_work_seconds{name=\"m\"} 3"))
        #expect(text.contains("workqueue_queue_duration_seconds_bucket{name=\"m\",le=\"+Inf\"} 1"))
        q.done("a")
        #expect(metrics.observationCount("workqueue_work_duration_seconds", ["name": "m"]) == 1)
        #expect(metrics.value("workqueue_depth", ["name": "m"]) == 1)
    }
}
