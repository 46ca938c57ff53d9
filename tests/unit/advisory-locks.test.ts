import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every transaction-scoped advisory lock the code takes is named by a `…_LOCK_ID` constant, and no
 * two constants share a number: two locks with one number would serialise unrelated work (and a
 * try-lock of one would fail while the other is held).
 */
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

const root = join(__dirname, '..', '..');
const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'scripts'))].map((path) => ({
  path,
  text: readFileSync(path, 'utf8'),
}));

describe('advisory locks', () => {
  const constants = files.flatMap(({ path, text }) =>
    [...text.matchAll(/const (\w+_LOCK_ID) = (0x[0-9a-fA-F]+|\d+);/g)].map((m) => ({
      path,
      name: m[1],
      value: Number(m[2]),
    })),
  );

  it('are named by constants with distinct numbers', () => {
    expect(constants.length).toBeGreaterThanOrEqual(4);
    const byValue = new Map<number, string[]>();
    for (const c of constants) byValue.set(c.value, [...(byValue.get(c.value) ?? []), c.name]);
    expect([...byValue.values()].filter((names) => names.length > 1)).toEqual([]);
  });

  it('are taken only through those constants, always transaction-scoped', () => {
    const names = new Set(constants.map((c) => c.name));
    let calls = 0;
    for (const { path, text } of files) {
      // Any advisory lock function (shared, session or transaction forms) takes a placeholder…
      expect([path, text.match(/advisory_\w*lock\w*\((?!\?\))/g)]).toEqual([path, null]);
      expect(text.match(/advisory_\w*lock\w*\(\?\)/g)?.length ?? 0).toBe(
        text.match(/pg_(try_)?advisory_(xact_)?lock\(\?\)/g)?.length ?? 0,
      );
      // …bound, in the same call, to one of the constants.
      for (const call of text.matchAll(
        /pg_(try_)?advisory_(xact_)?lock\(\?\)[^[;)]{0,80}\)?[^[;]{0,40}\[(\w+)\]/g,
      )) {
        expect([path, call[2], names.has(call[3])]).toEqual([path, 'xact_', true]);
        calls++;
      }
    }
    expect(calls).toBeGreaterThanOrEqual(8);
  });
});
