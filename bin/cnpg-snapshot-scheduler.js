#!/usr/bin/env node
// The `cnpg-snapshot-scheduler` command: in a checkout the TypeScript source as it is now, through tsx (a dev
// dependency, there after `npm ci`); in the installed package, which ships no source, the CLI that `npm pack` compiled.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`cnpg-snapshot-scheduler needs Node 24 or newer, but this is Node ${process.version}.`);
  process.exit(1);
}
const source = join(__dirname, '..', 'cli', 'main.ts');
if (existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else require(join(__dirname, '..', 'dist', 'cli', 'main.js'));
