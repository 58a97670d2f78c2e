# syntax=docker/dockerfile:1
# Build stage: install dependencies (native argon2 prebuilds) with the lockfile.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json openapi.yaml ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY collections ./collections
COPY process-graphs ./process-graphs
# The worker threads' bundle, built here because node_modules is not writable at run time (without it they boot
# through tsx, slower; see src/executor/worker-bundle.ts).
COPY scripts/build-worker-bundle.mjs ./scripts/
RUN node scripts/build-worker-bundle.mjs

# Runtime stage: only what runs, as an unprivileged user.
FROM node:20-bookworm-slim
# glibc's malloc: see "Memory" in README.md
ENV NODE_ENV=production DATA_DIR=/data PORT=8080 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app /app
RUN ln -s /app/bin/openeo-backend.js /usr/local/bin/openeo-backend \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["openeo-backend"]
CMD ["serve"]
