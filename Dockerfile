# The one Ferry image: the operator (`ferry operator`, see manifests/ and charts/ferry) and
# the worker pods' orchestrator (`ferry worker relay`, run through `sh -c` by the pod builder,
# which is why the runtime image has a shell and coreutils: mkfifo, cat, sleep).
#
#   docker build -t ferry:latest .
#
# Not built by this repository's tests or CI (they have no registry access); keep it plain.

# The toolchain the tests run with (Package.swift needs 6.1 or later).
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
# CZlib links the system zlib.
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product ferry \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/ferry" /out/ferry

# Runtime: Debian slim with only what the binary and the worker scripts need — zlib (CZlib),
# tzdata (IANA zones for cron schedules), CA certificates — and a numeric non-root user so
# `runAsNonRoot` can be verified by the kubelet.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ferry /usr/local/bin/ferry
USER 65532:65532
ENTRYPOINT ["ferry"]
