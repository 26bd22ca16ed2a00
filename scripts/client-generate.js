#!/usr/bin/env node
/**
 * `npm run client:generate`: packages/client/openapi.json is the API's OpenAPI document, and
 * packages/client/src/schema.d.ts its openapi-typescript types.
 * `npm run client:check` (`--check`): writes nothing, exits 1 when either checked-in file differs.
 *
 * The document is built from the API's decorators, so it comes from the built API (both scripts
 * run `nest build api` first) through the function that serves /docs-json, openApiDocument. Nest
 * builds the app in preview mode: the module graph without instantiating providers, so no Redis
 * or MongoDB is needed. test/e2e/cli.e2e-spec.ts checks that the built API serves the same.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { typesFromDocument, documentText } = require('./client-types');

const ROOT = path.resolve(__dirname, '..');
const API_DIST = path.join(ROOT, 'dist/apps/api');
const OUTPUTS = {
  document: path.join(ROOT, 'packages/client/openapi.json'),
  types: path.join(ROOT, 'packages/client/src/schema.d.ts'),
};

async function main() {
  const check = process.argv.includes('--check');
  const document = await apiDocument();
  const wanted = { document: await documentText(document), types: await typesFromDocument(document) };
  if (check) {
    const stale = Object.keys(OUTPUTS).filter((key) => readOrEmpty(OUTPUTS[key]) !== wanted[key]);
    if (stale.length === 0) return console.log('[client] generated files are up to date');
    for (const key of stale) console.error(`[client] out of date: ${path.relative(ROOT, OUTPUTS[key])}`);
    console.error('[client] run `npm run client:generate` and commit the result');
    process.exitCode = 1;
    return;
  }
  for (const key of Object.keys(OUTPUTS)) fs.writeFileSync(OUTPUTS[key], wanted[key]);
  console.log(
    `[client] wrote ${Object.values(OUTPUTS)
      .map((file) => path.relative(ROOT, file))
      .join(', ')}`,
  );
}

async function apiDocument() {
  const built = (file) => path.join(API_DIST, file);
  if (!fs.existsSync(built('apps/api/src/openapi-document.js')))
    throw new Error('dist/apps/api is missing: run `npx nest build api` first');
  const { NestFactory } = require('@nestjs/core');
  const { ApiModule } = require(built('apps/api/src/api.module'));
  const { openApiDocument } = require(built('apps/api/src/openapi-document'));
  const { loadConfig } = require(built('libs/config/src'));
  // Defaults, whatever this machine's environment says: the document is the same everywhere.
  // (The URLs are never dialled: nothing is instantiated in preview mode.)
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379', MONGO_URL: 'mongodb://127.0.0.1:27017/conveyor' });
  const app = await NestFactory.create(ApiModule.forRoot(config), { preview: true, logger: false });
  return openApiDocument(app);
}

function readOrEmpty(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

main().catch((error) => {
  console.error(`[client] ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
});
