# syntax=docker/dockerfile:1
# Three stages: production dependencies only (no compiler, no test tools), a builder that
# compiles with tsc (and builds web/ when there is one), and a small runtime that runs as the
# unprivileged `node` user with a data volume it owns.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node node_modules/typescript/bin/tsc -p tsconfig.json
# The live inbox web app, when the checkout has one: built to web/dist, served at / by the server.
RUN if [ -f web/package.json ]; then \
      if node -e "process.exit(require('./package.json').scripts?.['build:web'] ? 0 : 1)"; then npm run build:web; \
      else (cd web && npm ci --no-audit --no-fund && npm run build); fi; \
    fi && mkdir -p web/dist

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    PORT=4000
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/dist/src ./dist/src
COPY --from=build --chown=root:root /app/dist/migrations ./dist/migrations
COPY --from=build --chown=root:root /app/web/dist ./web/dist
# The code stays root-owned (read-only to the process); the data folder belongs to `node`, and a
# new named volume mounted there starts with this ownership (media uploads, generated secrets).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 4000
# Ready = control database reachable and not shutting down (curl is not in the slim image).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
