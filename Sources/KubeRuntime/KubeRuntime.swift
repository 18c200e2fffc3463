/// The controller runtime: watcher → informer/store → work queue → controller, with leader
/// election, an event recorder, finalizer and condition helpers, and health/metrics endpoints.
///
/// Typical use (see `ControllerManager`):
///
///     let manager = ControllerManager(client: client, options: .init(leaderElection: config))
///     manager.controller(name: "connections", for: connectionType) { key, object in ... }
///     try await ServiceGroup(configuration: .init(services: [manager], logger: logger)).run()
public enum KubeRuntime {}
