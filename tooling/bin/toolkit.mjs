#!/usr/bin/env node
// @ts-check
// `node tooling/bin/toolkit.mjs <command> [args...]`: what every `npm run <command>` calls. Runs the command from
// the bundle of the current sources (see bundle.mjs), building it first when the sources changed.
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { commands, ensureBundle } from './bundle.mjs';
import { ensureSchemaBundle, SCHEMA_BUNDLE_ENV } from './schema-bundle.mjs';

const name = process.argv[2] ?? '';
const known = commands();
if (!known.includes(name)) {
  process.stderr.write(`error: unknown toolkit command ${JSON.stringify(name.slice(0, 60))}\nhint: one of: ${known.join(', ')}\n`);
  process.exit(2);
}

let dir;
try {
  dir = await ensureBundle({ log: (message) => process.stderr.write(`${message}\n`) });
} catch (error) {
  process.stderr.write(`error: could not build the toolkit: ${error instanceof Error ? error.message : String(error)}\nhint: run \`npm ci\` to install esbuild and the other dependencies, then try again.\n`);
  process.exit(1);
}
// The schema packages bundled for fast loading (schema-bundle.mjs). Only speed depends on it: without it,
// validate loads the same modules from node_modules.
try {
  process.env[SCHEMA_BUNDLE_ENV] = await ensureSchemaBundle({ log: (message) => process.stderr.write(`${message}\n`) });
} catch (error) {
  process.stderr.write(`warning: could not bundle the schema packages, so validation loads them more slowly: ${error instanceof Error ? error.message : String(error)}\n`);
}
const entry = join(dir, `${name}.mjs`);
// The command module runs itself when it is the process's main script (runIfMain in lib/cli.ts): make it so,
// with the command's own arguments after it, exactly as `node <entry> [args...]` would.
process.argv.splice(1, 2, entry);
await import(pathToFileURL(entry).href);
