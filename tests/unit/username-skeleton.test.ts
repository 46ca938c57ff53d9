import { assignUsernameSkeletons } from '../../migrations/Migration20261201171000_username_skeleton';
import { User } from '../../src/identity/domain/user.entity';
import { confusableSkeleton, usernameSkeleton } from '../../src/identity/domain/username-skeleton';

const now = new Date('2026-01-01T00:00:00Z');

describe('the UTS #39 confusable skeleton', () => {
  it.each([
    ['I', 'l'],
    ['1', 'l'],
    ['|', 'l'],
    ['0', 'O'],
    ['m', 'rn'],
    ['\u0430', 'a'], // Cyrillic а
    ['\u0435', 'e'], // Cyrillic е
    ['\u043e', 'o'], // Cyrillic о
    ['\u0440', 'p'], // Cyrillic р
    ['\u0441', 'c'], // Cyrillic с
    ['\u0443', 'y'], // Cyrillic у
    ['\u0445', 'x'], // Cyrillic х
    ['\u03bf', 'o'], // Greek ο
    ['\u03b1', 'a'], // Greek α
    ['\uff41', 'a'], // fullwidth ａ
    ['\u217c', 'l'], // Roman numeral ⅼ
  ])('maps %s to %s, as confusables.txt does', (from, to) => expect(confusableSkeleton(from)).toBe(to));

  it('decomposes before and after mapping, so precomposed and combining spellings agree', () => {
    expect(confusableSkeleton('caf\u00e9')).toBe(confusableSkeleton('cafe\u0301'));
    expect(confusableSkeleton('caf\u00e9')).toBe('cafe\u0301');
  });

  it('is idempotent', () => {
    for (const s of ['aIice', 'g00gle', 'modern', 'ра\u0443pal', '%', 'caf\u00e9']) {
      expect(confusableSkeleton(confusableSkeleton(s))).toBe(confusableSkeleton(s));
    }
  });
});

describe('usernameSkeleton', () => {
  const same = (a: string, b: string) => expect(usernameSkeleton(a)).toBe(usernameSkeleton(b));
  const different = (a: string, b: string) => expect(usernameSkeleton(a)).not.toBe(usernameSkeleton(b));

  it('gives a capital I and a small l the same skeleton', () => same('aIice', 'alice'));
  it('gives lookalike digits and letters the same skeleton', () => {
    same('b0b', 'bob');
    same('b0b', 'BOB');
    same('a1ice', 'alice');
    same('bill', 'bi11');
  });
  it('ignores case, mapping what lower-casing reveals (M → m → rn)', () => {
    same('Bob', 'bob');
    same('Modern', 'modern');
    same('Modern', 'rnodern');
  });
  it('gives Cyrillic and Greek lookalikes the Latin skeleton', () => {
    same('\u0430lice', 'alice');
    same('\u0440\u0430\u0443pal', 'paypal');
    same('b\u03bfb', 'bob');
  });
  it('keeps different names apart', () => {
    different('alice', 'alicia');
    different('bob', 'rob');
    different('ana', 'anna');
    different('user_1', 'user-1');
    different('a.b', 'ab');
  });
  it('is lower-case and stable', () => {
    for (const name of ['aIice', 'ALICE', 'Modern', 'deleted-0f1e2d3c']) {
      const skeleton = usernameSkeleton(name);
      expect(skeleton).toBe(skeleton.toLowerCase());
      expect(usernameSkeleton(skeleton)).toBe(skeleton);
    }
  });
});

describe('the User keeps its username skeleton', () => {
  const aUser = (username: string) =>
    new User({ username, email: 'ana@example.com', passwordHash: 'h', now });

  it('computes it at registration', () => {
    expect(aUser('aIice').usernameSkeleton).toBe(usernameSkeleton('alice'));
  });
  it('recomputes it when renamed', () => {
    const user = aUser('alice');
    user.rename('B0b');
    expect(user.username).toBe('B0b');
    expect(user.usernameSkeleton).toBe(usernameSkeleton('bob'));
  });
  it('recomputes it for the placeholder name of an erased account', () => {
    const user = aUser('alice');
    user.erase(now);
    expect(user.username).toBe(`deleted-${user.id}`);
    expect(user.usernameSkeleton).toBe(usernameSkeleton(`deleted-${user.id}`));
  });
});

describe('the migration that fills the skeleton of existing accounts', () => {
  it('gives each account its skeleton, and a later lookalike its skeleton suffixed by its id', () => {
    const rows = [
      { id: 'id-1', username: 'alice' },
      { id: 'id-2', username: 'bob' },
      { id: 'id-3', username: 'aIice' },
      { id: 'id-4', username: 'a1ice' },
    ];
    expect(assignUsernameSkeletons(rows)).toEqual([
      { id: 'id-1', skeleton: 'alice' },
      { id: 'id-2', skeleton: 'bob' },
      { id: 'id-3', skeleton: 'alice#id-3' },
      { id: 'id-4', skeleton: 'alice#id-4' },
    ]);
  });
});
