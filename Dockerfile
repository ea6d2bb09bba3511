# Banco Hub image: one image for every component; the command picks it (`start core`,
# `start node-red`, `start bridge`, `start broker`, `monitor`…). docs/deployment.md.
#
#   docker build -t banco-hub .
#   docker run --rm banco-hub help

# ---- build: compile TypeScript and the native better-sqlite3 module ----
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Full install: node-red is a dev (optional peer) dependency of the palette package, but the
# embedded hub needs it at run time (package.json "peerDependenciesMeta"), so it stays.
RUN npm ci --ignore-scripts=false
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY core ./core
COPY hub ./hub
COPY bin ./bin
COPY bench ./bench
COPY chaos ./chaos
COPY nodes ./nodes
COPY plugins ./plugins
COPY bridge ./bridge
COPY examples ./examples
COPY flows ./flows
COPY mosquitto ./mosquitto
COPY docs ./docs
COPY README.md ./
# Every folder tsconfig.build.json compiles is copied above (test/compose checks it).
RUN npm run build

# ---- run ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# core, bridge, Node-RED, health/metrics
EXPOSE 5000 5001 1880 9464
# docker stop sends SIGTERM and waits 10 s: the hub exits within 8 s (hub/limits.ts).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/bin/banco.js"]
CMD ["start"]
