#!/usr/bin/env node
// The `cnpg-snapshot-scheduler` command: the compiled CLI of an installed package (dist/), or in a checkout the
// TypeScript source through tsx (a dev dependency, there after `npm ci`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`cnpg-snapshot-scheduler needs Node 24 or newer, but this is Node ${process.version}.`);
  process.exit(1);
}
const compiled = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (existsSync(compiled)) require(compiled);
else {
  require('tsx/cjs');
  require(join(__dirname, '..', 'cli', 'main.ts'));
}
