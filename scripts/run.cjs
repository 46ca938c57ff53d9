#!/usr/bin/env node
// Runs a TypeScript entry point: from the build (dist/) in production, through
// ts-node with swc otherwise, so that `npm start` works straight after `npm ci`.
// Usage: node scripts/run.cjs <path-without-extension> [args...]
const path = require('node:path');
const fs = require('node:fs');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.cjs <entry> [args...]');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist', `${entry}.js`);
process.argv = [process.argv[0], entry, ...args];

const wantsBuild = process.env.NODE_ENV === 'production' || process.env.RUN_FROM_BUILD === '1';
if (wantsBuild && fs.existsSync(built)) {
  require(built);
} else {
  if (wantsBuild)
    console.error(
      `warning: ${path.relative(root, built)} is missing, running from source; run \`npm run build\` for production`,
    );
  require('ts-node').register({
    project: path.join(root, 'tsconfig.json'),
    swc: true,
    experimentalResolver: true,
  });
  require(path.join(root, `${entry}.ts`));
}
