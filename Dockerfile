# Builds the trp-worker binary and ships it with its default configuration. The runtime
# image holds the binary (the migrations are compiled into it: src/store/migrate.rs) and
# config/, nothing else: no shell, no package manager (distroless, glibc and CA roots only).
# No image is built in CI (no Docker daemon there), nor the locked release build below: it
# took 31 min here (2 shared cores, 16.7 CPU-minutes), past CI's budget (README, Deployment).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
COPY config ./config
COPY migrations ./migrations
RUN cargo build --release --locked --bin trp-worker

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/trp-worker /usr/local/bin/trp-worker
COPY config /etc/trp-worker/config
WORKDIR /etc/trp-worker
# 65532: distroless's "nonroot" user.
USER 65532:65532
# No shell in the image: the binary asks its own /healthz (exit 0 healthy, 1 not). Its own
# wait is 5 s, inside the 10 s timeout.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/trp-worker", "health"]
ENTRYPOINT ["/usr/local/bin/trp-worker"]
CMD ["run"]
