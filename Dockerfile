# bots-service image: build with the full toolchain, run with production dependencies only.
#   docker build -t bots-service .
#   docker run -p 5001:5001 -v bots-data:/app/data bots-service
# or: docker compose up -d   (see docker-compose.yml and README "Docker")

# ---- build stage: dev dependencies + nest build (the swagger CLI plugin runs here) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx nest build

# ---- runtime stage ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    PORT=5001 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The data folder belongs to the unprivileged user the service runs as.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 5001
# Node's own fetch: no curl/wget in the slim image. /api/bots/health stays open when BOTS_API_KEY is set.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5001) + '/api/bots/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM itself; the service saves its state and exits 0
# (forced exit after 15 s, inside compose's 20 s stop_grace_period).
# --optimize-for-size: V8 keeps a tight heap (idle RSS ~140 MB instead of ~185 MB) for ~20 % more CPU per request;
# measured in docs/whole-service-bench.md ("V8 flag").
CMD ["node", "--optimize-for-size", "dist/main"]
