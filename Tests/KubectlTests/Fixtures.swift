/// Manifests the kubectl scenario applies: a CRD with printer columns, status and scale
/// subresources, validation and a CEL rule, and objects of it.
enum Fixtures {
    static let widgetCRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.test.ferry.dev
    spec:
      group: test.ferry.dev
      scope: Namespaced
      names:
        plural: widgets
        singular: widget
        kind: Widget
        shortNames: [wd]
        categories: [ferrytest]
      versions:
        - name: v1
          served: true
          storage: true
          subresources:
            status: {}
            scale:
              specReplicasPath: .spec.replicas
              statusReplicasPath: .status.replicas
              labelSelectorPath: .status.selector
          additionalPrinterColumns:
            - name: Size
              type: string
              jsonPath: .spec.size
            - name: Replicas
              type: integer
              jsonPath: .spec.replicas
            - name: Ready
              type: string
              jsonPath: .status.conditions[?(@.type=="Ready")].status
            - name: Age
              type: date
              jsonPath: .metadata.creationTimestamp
          schema:
            openAPIV3Schema:
              type: object
              description: A Widget is a test resource.
              properties:
                spec:
                  type: object
                  description: What the widget should be.
                  x-kubernetes-validations:
                    - rule: "self.replicas <= 10 || self.size == 'large'"
                      message: only large widgets may have more than 10 replicas
                  properties:
                    size:
                      type: string
                      description: How big the widget is.
                      enum: [small, medium, large]
                    replicas:
                      type: integer
                      minimum: 0
                      default: 1
                      description: How many copies to run.
                    color:
                      type: string
                      default: blue
                      description: Paint colour.
                  required: [size]
                status:
                  type: object
                  properties:
                    replicas:
                      type: integer
                    selector:
                      type: string
                    conditions:
                      type: array
                      x-kubernetes-list-type: map
                      x-kubernetes-list-map-keys: [type]
                      items:
                        type: object
                        required: [type, status]
                        properties:
                          type: {type: string}
                          status: {type: string}
                          reason: {type: string}
                          message: {type: string}
                          lastTransitionTime: {type: string, format: date-time}
    """

    static func widget(_ name: String, size: String = "small", replicas: Int = 2, finalizers: [String] = []) -> String {
        var yaml = """
        apiVersion: test.ferry.dev/v1
        kind: Widget
        metadata:
          name: \(name)
          namespace: demo
          labels: {app: widgets}

        """
        if !finalizers.isEmpty { yaml += "  finalizers: [\(finalizers.joined(separator: ", "))]\n" }
        yaml += """
        spec:
          size: \(size)
          replicas: \(replicas)

        """
        return yaml
    }
}

extension Fixtures {
    /// A pool of `workers`, the built-in sample Source (`count` users) named `sample`, and a
    /// JSON-lines Destination `files` writing under `output`: what a Connection of an
    /// end-to-end test moves data between.
    static func sampleToFiles(count: Int, output: String, workers: Int = 2) -> String {
        """
        apiVersion: ferry.dev/v1alpha1
        kind: WorkerPool
        metadata: {name: default}
        spec: {workers: \(workers)}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: sample}
        spec:
          image: ferry:latest
          command: [ferry, connector, source-sample]
          config: {count: \(count)}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: files}
        spec:
          image: ferry:latest
          command: [ferry, connector, destination-jsonl]
          config: {destination_path: \(output)}
        """
    }
}
