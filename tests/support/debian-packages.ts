import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program to run: its path, and the environment that finds its libraries. */
export interface ProgramBinary {
  path: string;
  env: NodeJS.ProcessEnv;
}

export interface DebianProgram {
  /** The program's file name, looked for on PATH first. */
  name: string;
  /** The folder under the data root that holds the unpacked tree (`<folder>/root`). */
  folder: string;
  /** Where the program lies in the unpacked tree, e.g. `usr/sbin/pgbouncer`. */
  inTree: string;
  /** Debian's packages holding the program and the libraries it needs beyond a base system. */
  packages: string[];
  /** Said when the packages cannot be fetched: how else to provide the program. */
  otherwise: string;
  /** Runs on the freshly unpacked tree before it is put in place. */
  complete?: (tree: string) => void;
}

/**
 * A program for the tests, found in this order: on PATH; unpacked earlier under
 * `<dataRoot>/<folder>`; unpacked now from Debian's packages (`apt-get download` and
 * `dpkg-deb -x` into the project's data folder: nothing is installed on the system).
 */
export function findOrUnpackProgram(dataRoot: string, program: DebianProgram): ProgramBinary {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, program.name))
    .find((candidate) => existsSync(candidate));
  if (onPath) return { path: onPath, env: process.env };

  const tree = join(dataRoot, program.folder, 'root');
  if (!existsSync(join(tree, program.inTree))) unpackDebianPackages(dataRoot, tree, program);
  return {
    path: join(tree, program.inTree),
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

/** Downloads the program's packages and unpacks them all into `tree`, atomically (a rename at the end). */
function unpackDebianPackages(dataRoot: string, tree: string, program: DebianProgram): void {
  mkdirSync(dataRoot, { recursive: true });
  const work = mkdtempSync(join(dataRoot, `${program.folder}-unpack-`));
  try {
    const download = () =>
      spawnSync('apt-get', ['download', ...program.packages], { cwd: work, encoding: 'utf8' });
    let result = download();
    // A fresh machine may have no package lists yet; only root can fetch them.
    if (result.status !== 0 && process.getuid?.() === 0) {
      spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
      result = download();
    }
    if (result.status !== 0)
      throw new Error(
        `${program.otherwise} (fetching Debian's ${program.packages[0]} failed: ` +
          `${result.error?.message ?? result.stderr.trim()})`,
      );
    const root = join(work, 'root');
    for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) {
      const unpacked = spawnSync('dpkg-deb', ['-x', join(work, deb), root], { encoding: 'utf8' });
      if (unpacked.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${unpacked.stderr}`);
    }
    program.complete?.(root);
    mkdirSync(join(tree, '..'), { recursive: true });
    try {
      renameSync(root, tree);
    } catch (err) {
      // Another run unpacked the same packages first: use its tree.
      if (!existsSync(join(tree, program.inTree))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
