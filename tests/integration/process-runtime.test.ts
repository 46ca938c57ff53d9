import { readdirSync, readFileSync } from 'node:fs';
import { sizeThreadPool } from '../../src/adapters/crypto/thread-pool';
import { HEAP_FLAGS } from '../../src/heap-limits';
import { aUser } from '../support/factories';
import { startInstance } from '../support/fleet';
import { LoginDoc, MeDoc } from '../support/operations';
import { startTestApp } from '../support/test-app';

/** The threads of a process named `libuv-worker` (libuv's pool), with their niceness. */
function poolThreads(pid: number): { tid: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`)
    .filter((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'libuv-worker')
    .map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The fields after the command name's closing parenthesis; niceness is the 17th of them.
      return { tid, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
    });
}

describe('a service process', () => {
  it('runs with its heap limits, and a thread pool of the hashes in flight plus two, every thread below the event loop’s priority', async () => {
    const app = await startTestApp();
    const instance = await startInstance(app, 'pool', { PASSWORD_HASH_CONCURRENCY: '3' });
    try {
      const threads = poolThreads(instance.pid);
      expect(threads).toHaveLength(5);
      expect(threads.map((t) => t.nice)).toEqual([10, 10, 10, 10, 10]);
      // The main thread keeps the normal priority.
      const main = readFileSync(`/proc/${instance.pid}/stat`, 'utf8');
      expect(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);

      // Started without heap flags, it restarted itself with them, keeping its pid.
      const cmdline = readFileSync(`/proc/${instance.pid}/cmdline`, 'utf8').split('\0');
      for (const flag of HEAP_FLAGS) expect(cmdline).toContain(flag);

      const user = await aUser(app);
      const res = await instance.gql(LoginDoc, {
        input: { identifier: user.email, password: user.password, deviceId: 'pool-device' },
      });
      expect(res.data?.login.__typename).toBe('AuthPayload');
    } finally {
      await instance.stop();
      await app.close();
    }
  });

  it('keeps heap limits an operator gave in NODE_OPTIONS', async () => {
    const app = await startTestApp();
    const instance = await startInstance(app, 'own-heap', { NODE_OPTIONS: '--max-old-space-size=300' });
    try {
      const cmdline = readFileSync(`/proc/${instance.pid}/cmdline`, 'utf8').split('\0');
      for (const flag of HEAP_FLAGS) expect(cmdline).not.toContain(flag);
      expect((await instance.gql(MeDoc)).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await instance.stop();
      await app.close();
    }
  });

  it('leaves a size set by UV_THREADPOOL_SIZE alone', () => {
    const before = process.env.UV_THREADPOOL_SIZE;
    try {
      process.env.UV_THREADPOOL_SIZE = '7';
      expect(sizeThreadPool(3)).toBe(7);
      delete process.env.UV_THREADPOOL_SIZE;
      expect(sizeThreadPool(3)).toBe(5);
      expect(process.env.UV_THREADPOOL_SIZE).toBe('5');
    } finally {
      if (before === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = before;
    }
  });
});
