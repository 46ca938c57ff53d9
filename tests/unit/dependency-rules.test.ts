import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/**
 * Runs the project's dependency rules over a small tree of the project's own shape, made for the
 * test inside the checkout (so packages resolve from its node_modules), and returns the violations.
 */
async function violationsIn(files: Record<string, string>): Promise<Violation[]> {
  return (await cruise(files)).summary.violations;
}

interface CruiseResult {
  summary: { violations: Violation[] };
  modules: { source: string; dependencies: { resolved: string; dependencyTypes: string[] }[] }[];
}

async function cruise(files?: Record<string, string>): Promise<CruiseResult> {
  if (!files) return cruiseIn(ROOT);
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.data', 'dependency-rules-'));
  try {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
    );
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return await cruiseIn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cruiseIn(dir: string): Promise<CruiseResult> {
  const cli = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
  const config = join(ROOT, '.dependency-cruiser.cjs');
  // Exit code 1 means violations were found: the JSON is printed either way.
  const { stdout } = await run(process.execPath, [cli, 'src', '--config', config, '--output-type', 'json'], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => {
    if (!err.stdout) throw err;
    return { stdout: err.stdout };
  });
  return JSON.parse(stdout);
}

/** The first-level folder of src/ a module is in; files directly in src/ count as one node. */
const folderOf = (path: string) =>
  path.split('/')[1]?.endsWith('.ts') ? '(root files)' : path.split('/')[1];

/** Folders that reach themselves again through the import graph (a cycle's members). */
function foldersInCycles(edges: Map<string, Set<string>>): string[] {
  const reaches = (from: string, target: string, seen = new Set<string>()): boolean => {
    for (const next of edges.get(from) ?? []) {
      if (next === target) return true;
      if (!seen.has(next)) {
        seen.add(next);
        if (reaches(next, target, seen)) return true;
      }
    }
    return false;
  };
  return [...edges.keys()].filter((folder) => reaches(folder, folder)).sort();
}

const names = (violations: Violation[]) =>
  violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();

/** One file per layer, each importing only what lies below it. */
const cleanTree = {
  'src/kernel/clock.ts': 'export const now = () => new Date();\n',
  'src/config/config.ts': "import { now } from '../kernel/clock.js';\nexport const started = now();\n",
  'src/adapters/crypto/hasher.ts':
    "import { started } from '../../config/config.js';\nexport const salt = started;\n",
  'src/identity/domain/user.ts':
    "import { now } from '../../kernel/clock.js';\nexport const created = now();\n",
  'src/identity/persistence/users.ts':
    "import { created } from '../domain/user.js';\nexport const row = created;\n",
  'src/identity/application/register.ts':
    "import { salt } from '../../adapters/crypto/hasher.js';\nimport { row } from '../persistence/users.js';\nexport const register = () => [salt, row];\n",
  'src/identity/graphql/resolver.ts':
    "import { register } from '../application/register.js';\nexport const resolve = register;\n",
  'src/http/app.ts':
    "import { resolve } from '../identity/graphql/resolver.js';\nexport const app = resolve;\n",
  'src/main.ts': "import { app } from './http/app.js';\napp();\n",
};

describe('dependency rules (npm run depcheck)', () => {
  it('hold for the service: no violation, and the first-level folders of src/ import one another in no circle', async () => {
    const result = await cruise();
    expect(names(result.summary.violations)).toEqual([]);
    const edges = new Map<string, Set<string>>();
    for (const m of result.modules.filter((m) => m.source.startsWith('src/'))) {
      for (const d of m.dependencies.filter((d) => d.resolved.startsWith('src/'))) {
        const [from, to] = [folderOf(m.source), folderOf(d.resolved)];
        if (from === to) continue;
        edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    expect(edges.size).toBeGreaterThan(4);
    expect(foldersInCycles(edges)).toEqual([]);
  }, 60_000);

  it('find a folder circle when there is one', () => {
    const edges = new Map([
      ['kernel', new Set<string>()],
      ['identity', new Set(['kernel', 'adapters'])],
      ['adapters', new Set(['kernel', 'identity'])],
    ]);
    expect(foldersInCycles(edges)).toEqual(['adapters', 'identity']);
  });

  it('pass a tree whose imports run one way', async () => {
    expect(names(await violationsIn(cleanTree))).toEqual([]);
  }, 60_000);

  it('fail a folder cycle, a domain that reaches up and a resolver that skips the use cases', async () => {
    const violations = await violationsIn({
      ...cleanTree,
      // The kernel reaching into the identity context closes a folder cycle.
      'src/kernel/clock.ts':
        "import { created } from '../identity/domain/user.js';\nexport const now = () => new Date();\nexport const seen = created;\n",
      'src/identity/domain/user.ts':
        "import { now } from '../../kernel/clock.js';\nimport { register } from '../application/register.js';\nimport { GraphQLError } from 'graphql';\nexport const created = now();\nexport const odd = [register, GraphQLError];\n",
      'src/identity/graphql/resolver.ts':
        "import { register } from '../application/register.js';\nimport { row } from '../persistence/users.js';\nexport const resolve = () => [register, row];\n",
      'src/adapters/crypto/hasher.ts':
        "import { started } from '../../config/config.js';\nimport { row } from '../../identity/persistence/users.js';\nexport const salt = [started, row];\n",
    });
    const found = names(violations);
    expect(found).toEqual(
      expect.arrayContaining([
        'kernel-is-the-floor: src/kernel/clock.ts → src/identity/domain/user.ts',
        'domain-is-pure: src/identity/domain/user.ts → src/identity/application/register.ts',
        'graphql-through-application: src/identity/graphql/resolver.ts → src/identity/persistence/users.ts',
        'adapters-know-no-identity: src/adapters/crypto/hasher.ts → src/identity/persistence/users.ts',
      ]),
    );
    expect(found.some((v) => v.startsWith('no-circular: '))).toBe(true);
    expect(
      found.some((v) => v.startsWith('domain-knows-no-driver-or-edge: src/identity/domain/user.ts → ')),
    ).toBe(true);
  }, 60_000);
});
