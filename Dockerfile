# Konferenz application image: the server, the built client, and the mediasoup worker built
# against Debian 12's libraries exactly as `npm start` builds it on a development machine.
FROM node:24-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ libssl-dev libuv1-dev libsrtp2-dev libabsl-dev \
      flatbuffers-compiler libflatbuffers-dev ninja-build pkg-config python3-venv build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# The worker is built into the image (not the builder's home) and linked into mediasoup's default
# path, node_modules/mediasoup/worker/out/Release/, where the server finds it without configuration.
ENV SFU_WORKER_CACHE_DIR=/app/.worker
RUN MEDIASOUP_WORKER_BIN=built-by-sfu/scripts/build-worker.sh npm ci --no-audit --no-fund \
 && bash sfu/scripts/build-worker.sh \
 && npm run build \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libuv1 libsrtp2-1 libabsl20220623 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production
# HTTP (behind the TLS proxy), the media ports (RTC_PORT + worker), SIP, the callers' RTP range.
EXPOSE 3000 40000-40001/udp 40000-40001/tcp 5060/udp 5060/tcp 40200-40399/udp
# Docker restarts a node whose event loop or database stopped answering (/healthz is the process
# alone; /readyz also says whether the database, mail, media and SIP are there: docs/deployment.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
USER node
CMD ["node", "server/dist/main.js"]
