// The Unicode confusables mapping (UTS #39, confusables.txt version 13.0.0), as shipped by the
// `unhomoglyph` package: 6,311 single code points, each mapped to the string it can be mistaken
// for (I → l, 0 → O, m → rn, Cyrillic а → a, Greek ο → o, fullwidth ａ → a, …).
import confusables from 'unhomoglyph/data.json';

const TABLE: ReadonlyMap<string, string> = new Map(Object.entries(confusables as Record<string, string>));

/**
 * The UTS #39 skeleton of a text: NFD, then every code point replaced by its prototype from the
 * confusables table, then NFD again. Two texts that can be mistaken for one another have the
 * same skeleton. It is a key for comparison, never a text to show.
 */
export function confusableSkeleton(text: string): string {
  let mapped = '';
  for (const ch of text.normalize('NFD')) mapped += TABLE.get(ch) ?? ch;
  return mapped.normalize('NFD');
}

/** Lower-casing can reveal a code point the table maps (M → m → rn); a few rounds settle it. */
const MAX_ROUNDS = 4;

/**
 * The key that keeps lookalike usernames apart, stored in `users.username_skeleton` under a
 * unique index: the confusable skeleton of the spelling as given, lower-cased because the service
 * compares usernames without regard to case, repeated until it no longer changes. So `aIice`
 * (capital i), `a1ice` and `alice` share one, and so do `b0b` and `bob`, `rnallory` and `mallory`.
 * Names that differ only in case are kept apart by the index on lower(username) as well.
 */
export function usernameSkeleton(username: string): string {
  let key = username;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = confusableSkeleton(key).toLowerCase();
    if (next === key) break;
    key = next;
  }
  return key;
}
