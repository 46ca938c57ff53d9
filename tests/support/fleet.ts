import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { processEnvOf } from './command';
import { recordLogLine, recordSecretsIn } from './log-scan';
import { freePort } from './ports';
import type { GraphQLResponse, TestApp } from './test-app';

const root = join(__dirname, '..', '..');

/** A service instance in a process of its own (`npm start`'s entry point), on the test app's database. */
export interface Instance {
  name: string;
  pid: number;
  url: string;
  gql<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TResult> & { requestId: string | null }>;
  /** SIGKILL: no shutdown, no lease given back, connections cut. */
  kill(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts an instance with the test app's database and secrets (so tokens and encrypted columns
 * agree across instances), its log lines going into the run's secret scan. Resolves once it
 * listens.
 */
export async function startInstance(
  app: TestApp,
  name: string,
  env: Record<string, string> = {},
): Promise<Instance> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(root, 'scripts', 'run.cjs'), 'src/main'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(port),
      ...processEnvOf(app),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  let partial = '';
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        recordLogLine(line);
        if (output.length < 20_000) output += `${line}\n`;
        if (line.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited:\n${output}`));
    });
  });
  await listening;
  const url = `http://127.0.0.1:${port}`;

  return {
    name,
    pid: child.pid as number,
    url,
    async gql(document, variables, headers = {}) {
      recordSecretsIn(variables);
      const res = await post(
        `${url}/graphql`,
        JSON.stringify({ query: print(document), variables }),
        headers,
      );
      const body = JSON.parse(res.raw);
      recordSecretsIn(body.data);
      return {
        status: res.status,
        data: body.data,
        errors: body.errors,
        headers: res.headers,
        raw: res.raw,
        requestId: res.headers.get('x-request-id'),
      };
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A POST on a connection of its own. Reusing kept-alive connections would race the server's
 * keep-alive timeout on a loaded machine (the server closes a socket as the client reuses it),
 * which reads as a failure of an instance that is alive.
 */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; raw: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', connection: 'close', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const all = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') all.set(name, value);
          }
          resolve({ status: res.statusCode ?? 0, headers: all, raw: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
