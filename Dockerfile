# syntax=docker/dockerfile:1
# Guardrail's processor image: `guardrail run` by default; any other sub-command works too
# (`docker run IMAGE validate /etc/guardrail/rules`, `... loadgen --rate 50`).
# Build from the repository root: docker build -t guardrail .

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 # The Lua scripts are read at run time from src/**/lua (tsc copies no .lua files).
 && mkdir -p /out \
 && cp -r dist node_modules package.json /out/ \
 && find src -name '*.lua' -exec cp --parents {} /out/ \;

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    GUARDRAIL_RULES=/etc/guardrail/rules \
    GUARDRAIL_METRICS_PORT=9464
WORKDIR /app
COPY --from=build /out ./
COPY bin ./bin
# The default ruleset; mount your own rules over /etc/guardrail/rules (a ConfigMap, a volume).
COPY rules /etc/guardrail/rules
# Runs as the image's unprivileged "node" user (uid 1000) and writes nothing to the file system,
# so it runs unchanged with a read-only root file system.
USER node
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.GUARDRAIL_METRICS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/guardrail.js"]
CMD ["run"]
