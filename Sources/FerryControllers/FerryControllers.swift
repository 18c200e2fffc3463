/// The reconcilers (one per Ferry kind) and the worker pod builder.
public enum FerryControllers {}
