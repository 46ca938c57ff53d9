#!/usr/bin/env node
// Builds the account console (web/ → web/dist) when its build is missing or older than its
// sources, so that `npm start` serves it straight after `npm ci`, and the browser tests test the
// code as it is. Run before `npm start` (prestart) and by the account-console test.
// Usage: node scripts/build-console.cjs [--force]
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const web = path.join(root, 'web');
const builtIndex = path.join(web, 'dist', 'index.html');
/** What the build is made from: a change to any of them makes the build stale. */
const inputs = [
  path.join(web, 'src'),
  path.join(web, 'index.html'),
  path.join(web, 'vite.config.ts'),
  path.join(web, 'package.json'),
  path.join(root, 'schema', 'possible-types.json'),
];

function newestMtime(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/** Why the console needs building, or undefined when web/dist is current. */
function staleness() {
  if (!fs.existsSync(builtIndex)) return 'web/dist is missing';
  const built = fs.statSync(builtIndex).mtimeMs;
  const newest = Math.max(...inputs.map(newestMtime));
  return newest > built ? 'web/ changed since web/dist was built' : undefined;
}

function buildConsole({ force = false, quiet = false } = {}) {
  const why = force ? 'asked to' : staleness();
  if (!why) return false;
  let vite;
  try {
    vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [web] })), 'bin', 'vite.js');
  } catch {
    process.stderr.write(
      `warning: the account console is not built (${why}) and Vite is not installed: run npm ci\n`,
    );
    return false;
  }
  if (!quiet) process.stderr.write(`building the account console (${why})…\n`);
  execFileSync(process.execPath, [vite, 'build', '--logLevel', quiet ? 'error' : 'warn'], {
    cwd: web,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  return true;
}

module.exports = { buildConsole, staleness };

if (require.main === module) {
  if (process.env.NODE_ENV === 'production' && !process.argv.includes('--force')) {
    // Production serves the image's build (npm run build builds it); nothing is built at start.
    if (!fs.existsSync(builtIndex))
      process.stderr.write('warning: web/dist is missing: /account answers 503 until `npm run build`\n');
  } else {
    buildConsole({ force: process.argv.includes('--force') });
  }
}
