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
EXPOSE 3000
USER node
CMD ["node", "server/dist/main.js"]
