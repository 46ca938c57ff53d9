import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface RedisServerHandle {
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

interface RedisBinary {
  path: string;
  env: NodeJS.ProcessEnv;
}

/** Debian's packages holding redis-server and the libraries it needs beyond a base system. */
const DEBIAN_PACKAGES = ['redis-tools', 'liblzf1', 'libjemalloc2'];

/**
 * A redis-server for the tests, found in this order: on PATH; unpacked earlier
 * under `<dataRoot>/redis`; unpacked now from Debian's packages (`apt-get
 * download` and `dpkg-deb -x` into the project's data folder: nothing is
 * installed on the system). Elsewhere, install Redis. TEST_REDIS_URL replaces the run's
 * shared Redis, but the tests that kill a Redis of their own still start one from here.
 */
export function findRedisServer(dataRoot: string): RedisBinary {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'redis-server'))
    .find((candidate) => existsSync(candidate));
  if (onPath) return { path: onPath, env: process.env };

  const tree = join(dataRoot, 'redis', 'root');
  if (!existsSync(join(tree, 'usr', 'bin', 'redis-server'))) unpackFromDebian(dataRoot, tree);
  return {
    path: join(tree, 'usr', 'bin', 'redis-server'),
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [...libraryDirs(tree), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    },
  };
}

/** The unpacked libraries: usr/lib and its multiarch folders (x86_64-linux-gnu, aarch64-linux-gnu, ...). */
function libraryDirs(tree: string): string[] {
  const lib = join(tree, 'usr', 'lib');
  if (!existsSync(lib)) return [];
  const multiarch = readdirSync(lib, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /-linux-/.test(entry.name))
    .map((entry) => join(lib, entry.name));
  return [...multiarch, lib];
}

function unpackFromDebian(dataRoot: string, tree: string): void {
  mkdirSync(dataRoot, { recursive: true });
  const work = mkdtempSync(join(dataRoot, 'redis-unpack-'));
  try {
    const download = () =>
      spawnSync('apt-get', ['download', ...DEBIAN_PACKAGES], { cwd: work, encoding: 'utf8' });
    let result = download();
    // A fresh machine may have no package lists yet; only root can fetch them.
    if (result.status !== 0 && process.getuid?.() === 0) {
      spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
      result = download();
    }
    if (result.status !== 0)
      throw new Error(
        'The tests need a Redis server: put redis-server on PATH or set TEST_REDIS_URL ' +
          `(fetching Debian's redis-tools failed: ${result.error?.message ?? result.stderr.trim()})`,
      );
    const root = join(work, 'root');
    for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) {
      const unpacked = spawnSync('dpkg-deb', ['-x', join(work, deb), root], { encoding: 'utf8' });
      if (unpacked.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${unpacked.stderr}`);
    }
    // Debian ships redis-server as a name for this multi-call binary, in a package of its own.
    symlinkSync('redis-check-rdb', join(root, 'usr', 'bin', 'redis-server'));
    mkdirSync(join(tree, '..'), { recursive: true });
    try {
      renameSync(root, tree);
    } catch (err) {
      // Another run unpacked the same packages first: use its tree.
      if (!existsSync(join(tree, 'usr', 'bin', 'redis-server'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Starts a throw-away redis-server on 127.0.0.1:port with persistence off. */
export async function startRedisServer(binary: RedisBinary, port: number): Promise<RedisServerHandle> {
  const child: ChildProcess = spawn(
    binary.path,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'notice',
    ],
    { env: binary.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** SIGTERM shuts down cleanly; SIGKILL stands in for a crash. */
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
