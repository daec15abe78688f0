# miffy: multi-stage, Node 24 slim, non-root.
#   docker build -t miffy .
#   docker run -p 8080:8080 -p 9000:9000 -e MIFFY_REFERENCE=http://ref:3000 \
#     -e MIFFY_CANDIDATE=http://cand:3001 -e KAFKA_BOOTSTRAP_SERVERS=kafka:9092 miffy
# Config: mount a file and set MIFFY_CONFIG=/config/config.toml, or use MIFFY_* / KAFKA_* vars.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The image already has Node 24: skip the pinned `node` package's binary download.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/node node_modules/.bin/node

FROM node:24-slim
ENV NODE_ENV=production \
    MIFFY_LOGGING=json \
    MIFFY_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json config.default.toml config.sample.toml ./
COPY src ./src
COPY examples ./examples
USER node
EXPOSE 8080 9000
HEALTHCHECK --interval=10s --timeout=2s --start-period=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MIFFY_MANAGEMENT_PORT||9000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form: node is PID 1 and gets SIGTERM itself; miffy handles it (drain, flush, exit 0).
# kafkajs computes negative timeouts on Node >= 23 (tulios/kafkajs#1751); Node clamps them to 1 ms.
CMD ["node", "--disable-warning=TimeoutNegativeWarning", "src/main.ts"]
