# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/admin/dist ./admin/dist
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/schemas ./schemas
USER node
EXPOSE 3000
# Migrations are explicit: `node dist/src/database/db-cli.js migrate` (the compose file runs it once).
CMD ["node", "dist/src/main.js"]
