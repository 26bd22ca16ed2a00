# syntax=docker/dockerfile:1
# Conveyor worker. Build from the repository root: docker build -f docker/worker.Dockerfile .

FROM node:22.23.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx nest build worker && npm prune --omit=dev

FROM node:22.23.3-bookworm-slim AS runtime
# Prometheus scrapes GET /metrics on WORKER_METRICS_PORT from outside the container.
ENV NODE_ENV=production WORKER_METRICS_HOST=0.0.0.0 WORKER_METRICS_PORT=9464
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist/apps/worker ./dist
COPY --chown=node:node package.json ./
# npm run restore reads backups from inside the image (see README, Backups).
COPY --chown=node:node scripts/restore.js scripts/backup-reader.js ./scripts/
# STORAGE_DIR and BACKUP_DIR in docker-compose: a volume mounted here takes the folder's owner on first use.
RUN mkdir -p /data/media /data/backups && chown node:node /data/media /data/backups
USER node
EXPOSE 9464
# Liveness for runtimes other than compose (compose states its own): the metrics server's /health,
# on its host unless that is a wildcard; with WORKER_METRICS_PORT=0 (no server) there is nothing to probe.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "const e=process.env,p=e.WORKER_METRICS_PORT||'9464',h=e.WORKER_METRICS_HOST||'127.0.0.1',a=['0.0.0.0','::',''].includes(h)?'127.0.0.1':h.includes(':')?'['+h+']':h;if(p==='0')process.exit(0);fetch('http://'+a+':'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM lets active jobs finish within WORKER_SHUTDOWN_GRACE_MS; keep compose's stop_grace_period above it.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/worker/src/main.js"]
