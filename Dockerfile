# Builds the trp-worker binary and ships it with its default configuration.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
COPY config ./config
COPY migrations ./migrations
RUN cargo build --release --locked --bin trp-worker

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 trp
COPY --from=build /src/target/release/trp-worker /usr/local/bin/trp-worker
COPY config /etc/trp-worker/config
WORKDIR /etc/trp-worker
USER trp
ENTRYPOINT ["/usr/local/bin/trp-worker"]
CMD ["run"]
