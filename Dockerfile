# syntax=docker/dockerfile:1
# Node 24 is the Active LTS line (Node 20 reached end of life on 2026-04-30); the code also runs on
# Node 22, and on Node 20.19+ for development. test/unit/deploy/dockerfile.test.ts checks this file.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY emulators ./emulators
# The sandbox and its emulators are compiled (the sandbox imports them) but not shipped: a
# production process never loads them, and the image has no sshd or Django to simulate an LMS.
RUN npm run build && rm -rf dist/emulators dist/src/sandbox && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# `start` and `web` answer /healthz on PORT; `worker` has no Slack listener and answers on
# WORKER_HEALTH_PORT. The probe accepts either, so one image serves every role.
ENV PORT=3000 WORKER_HEALTH_PORT=3001
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
USER node
EXPOSE 3000 3001
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "const ok=(p)=>fetch('http://127.0.0.1:'+p+'/healthz').then(r=>r.ok,()=>false);Promise.all([ok(process.env.PORT),ok(process.env.WORKER_HEALTH_PORT)]).then(r=>process.exit(r.includes(true)?0:1))"
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["start"]
