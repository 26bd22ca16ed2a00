#!/usr/bin/env node
/**
 * `conveyor`: the CLI, run from its TypeScript sources with no build step. Files under packages/
 * are transpiled as Node loads them (transpile only, as in the Jest runs: checking the types is
 * `npm run check`'s job), so `npx conveyor` works straight after `npm ci`.
 */
'use strict';
// CommonJS for Node (eslint.config.mjs gives that setting to scripts/ only).
/* global require, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports */

const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const PACKAGES = path.resolve(__dirname, '../..') + path.sep;

require.extensions['.ts'] = (module, filename) => {
  if (!filename.startsWith(PACKAGES)) throw new Error(`conveyor: refusing to load ${filename} (only packages/ is transpiled)`);
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
  });
  module._compile(outputText, filename);
};
// Stack traces point into the .ts files.
process.setSourceMapsEnabled(true);

require('../src/main').main(process.argv);
