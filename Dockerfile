# miffy: multi-stage, Node 24 slim, non-root.
#   docker build -t miffy .
#   docker run -p 8080:8080 -p 9000:9000 -e MIFFY_REFERENCE=http://ref:3000 \
#     -e MIFFY_CANDIDATE=http://cand:3001 -e KAFKA_BOOTSTRAP_SERVERS=kafka:9092 miffy
# Config: mount a file and set MIFFY_CONFIG=/config/config.toml, or use MIFFY_* / KAFKA_* vars.

# The compiled JavaScript (npm run build: tsc emit to dist/). The image runs it rather than the
# TypeScript sources: Node's type stripping costs about 30 MiB of resident memory (BENCHMARKS.md).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# The image already has Node 24: skip the pinned `node` package's binary download (and prepare,
# which would build before the sources are here).
RUN npm ci --omit=optional --ignore-scripts --no-audit --no-fund
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/node node_modules/.bin/node

FROM node:24-slim
ENV NODE_ENV=production \
    MIFFY_LOGGING=json \
    MIFFY_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json config.default.toml config.sample.toml ./
COPY --from=build /app/dist ./dist
# The demo origins (docker-compose.yml) run from their TypeScript sources.
COPY examples ./examples
USER node
EXPOSE 8080 9000
HEALTHCHECK --interval=10s --timeout=2s --start-period=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MIFFY_MANAGEMENT_PORT||9000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form: node is PID 1 and gets SIGTERM itself; miffy handles it (drain, flush, exit 0).
# The node flags are npm start's (package.json), which the benchmark measures (a test keeps the two
# the same):
# - kafkajs computes negative timeouts on Node >= 23 (tulios/kafkajs#1751); Node clamps them to 1 ms.
# - young generation capped at 8 MiB semi-spaces: under load V8 grew it to 128 MiB, a third of
#   miffy's resident memory, for no measurable GC saving (bench/heap-flags.md).
CMD ["node", "--disable-warning=TimeoutNegativeWarning", "--max-semi-space-size=8", "dist/cli/main.js", "start"]
