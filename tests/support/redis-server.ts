import { type ChildProcess, spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type DebianProgram, findOrUnpackProgram, type ProgramBinary } from './debian-packages';

export interface RedisServerHandle {
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Debian's packages holding redis-server and the libraries it needs beyond a base system. */
const REDIS: DebianProgram = {
  name: 'redis-server',
  folder: 'redis',
  inTree: 'usr/bin/redis-server',
  packages: ['redis-tools', 'liblzf1', 'libjemalloc2'],
  otherwise: 'The tests need a Redis server: put redis-server on PATH or set TEST_REDIS_URL',
  // Debian ships redis-server as a name for this multi-call binary, in a package of its own.
  complete: (tree) => symlinkSync('redis-check-rdb', join(tree, 'usr', 'bin', 'redis-server')),
};

/**
 * A redis-server for the tests, found in this order: on PATH; unpacked earlier under
 * `<dataRoot>/redis`; unpacked now from Debian's packages (nothing is installed on the system).
 * Elsewhere, install Redis. TEST_REDIS_URL replaces the run's shared Redis, but the tests that
 * kill a Redis of their own still start one from here.
 */
export const findRedisServer = (dataRoot: string): ProgramBinary => findOrUnpackProgram(dataRoot, REDIS);

/** Starts a throw-away redis-server on 127.0.0.1:port with persistence off. */
export async function startRedisServer(binary: ProgramBinary, port: number): Promise<RedisServerHandle> {
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
