/// A kubelet-like node agent: runs the containers of pods bound to its node as local processes.
public enum FerryLocalRuntime {}
