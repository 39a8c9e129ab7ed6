# Konferenz application image: the server, the built client, and the mediasoup worker built
# against Debian 12's libraries exactly as `npm start` builds it on a development machine.
FROM node:24-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev \
      libabsl-dev nlohmann-json3-dev ninja-build pkg-config python3-venv python3-pip build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
ENV MEDIASOUP_WORKER_BIN=/app/sfu/.cache/mediasoup-worker-3.12.16/mediasoup-worker
RUN npm ci --no-audit --no-fund \
 && bash sfu/scripts/build-worker.sh \
 && npm run build \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production MEDIASOUP_WORKER_BIN=/app/sfu/.cache/mediasoup-worker-3.12.16/mediasoup-worker
EXPOSE 3000
USER node
CMD ["node", "server/dist/main.js"]
