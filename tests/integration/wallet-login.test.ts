import { base58 } from '@scure/base';
import { totpCode } from '../../src/identity/domain/one-time-codes';
import { User } from '../../src/identity/domain/user.entity';
import { auditOf } from '../support/audit';
import { type TestClock, testClock } from '../support/clock';
import { errorCode } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { mailTo } from '../support/mail';
import { enrolTotp } from '../support/mfa';
import { MeDoc, UpdateProfileDoc, VerifyMfaDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { LinkWalletDoc, LoginWithWalletDoc, WalletChallengeDoc } from '../support/wallet-operations';
import { anEthereumWallet, aSolanaWallet, type TestWallet } from '../support/wallets';

const WEB = 'https://app.elcorp.test/account';
const THRESHOLD = 3;

let app: TestApp;
let clock: TestClock;

beforeAll(async () => {
  clock = testClock(new Date('2026-12-02T10:00:00.000Z'));
  app = await startTestApp({
    clock,
    env: {
      PUBLIC_WEB_URL: WEB,
      LOCKOUT_THRESHOLD: String(THRESHOLD),
      RATE_LIMIT_WALLET_CHALLENGES_PER_MINUTE: '100000',
    },
  });
});
afterAll(() => app.close());

async function challenge(wallet: { blockchain: TestWallet['blockchain']; address: string }) {
  const res = await app.gql(WalletChallengeDoc, { input: wallet });
  if (!res.data) throw new Error(`walletChallenge failed: ${res.raw}`);
  return res.data.walletChallenge;
}

const login = (message: string, signature: string, deviceId = 'wallet-device') =>
  app.gql(LoginWithWalletDoc, { input: { message, signature, deviceId, deviceName: 'Test browser' } });

/** A challenge for the wallet, signed by `signer` (the wallet itself unless said otherwise). */
async function signed(wallet: TestWallet, signer: TestWallet = wallet) {
  const { message } = await challenge(wallet);
  return { message, signature: await signer.sign(message) };
}

/** A new account, signed in, with this wallet linked through a signed challenge. */
async function ownerOf(wallet: TestWallet) {
  const user = await aUser(app);
  const session = await signIn(app, user, `owner-${user.id}`);
  const res = await app.gql(LinkWalletDoc, { input: await signed(wallet) }, bearer(session.accessToken));
  if (!res.data) throw new Error(`linkWallet failed: ${res.raw}`);
  return { user, session, linked: res.data.linkWallet };
}

const failedLoginsOf = async (userId: string) =>
  (await app.orm.em.fork().findOneOrFail(User, userId)).failedLoginAttempts;

/** The message with one line replaced. */
const withLine = (message: string, index: number, line: string) => {
  const lines = message.split('\n');
  lines[index] = line;
  return lines.join('\n');
};

describe('walletChallenge', () => {
  it.each([
    ['ETHEREUM', 'Ethereum', '1', anEthereumWallet],
    ['SOLANA', 'Solana', 'mainnet', aSolanaWallet],
  ] as const)(
    'issues a %s message with every field from PUBLIC_WEB_URL and the clock',
    async (_, word, chainId, make) => {
      const wallet = make();
      const res = await challenge(wallet);
      const lines = res.message.split('\n');
      expect(lines).toHaveLength(11);
      expect(lines[0]).toBe(`app.elcorp.test wants you to sign in with your ${word} account:`);
      expect(lines[1]).toBe(wallet.address);
      expect(lines[2]).toBe('');
      expect(lines[3]).toBe('Sign in to elcorp identity with this wallet.');
      expect(lines[4]).toBe('');
      expect(lines[5]).toBe(`URI: ${WEB}`);
      expect(lines[6]).toBe('Version: 1');
      expect(lines[7]).toBe(`Chain ID: ${chainId}`);
      expect(lines[8]).toMatch(/^Nonce: [0-9a-f]{32}$/);
      expect(lines[9]).toBe(`Issued At: ${clock.now().toISOString()}`);
      const expires = new Date(clock.now().getTime() + 300_000).toISOString();
      expect(lines[10]).toBe(`Expiration Time: ${expires}`);
      expect(res.expiresAt).toBe(expires);

      // Every challenge has its own nonce, and the database holds only its digest.
      const nonce = lines[8].slice('Nonce: '.length);
      const again = await challenge(wallet);
      expect(again.message).not.toContain(nonce);
      const rows = await app.orm.em.getConnection().execute('select * from wallet_challenges');
      expect(JSON.stringify(rows)).not.toContain(nonce);
    },
  );

  it('takes a lower-case Ethereum address and issues it EIP-55 checksummed', async () => {
    const wallet = anEthereumWallet();
    const res = await challenge({ blockchain: 'ETHEREUM', address: wallet.address.toLowerCase() });
    expect(res.message.split('\n')[1]).toBe(wallet.address);
  });

  it.each([
    ['ETHEREUM', '0x1234'],
    ['ETHEREUM', '0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAa'], // mixed case, wrong checksum
    ['SOLANA', 'not-base58-0OIl'],
    ['SOLANA', '3yZe7d'], // base58, but not 32 bytes
  ] as const)('refuses the %s address %s naming the field', async (blockchain, address) => {
    const res = await app.gql(WalletChallengeDoc, { input: { blockchain, address } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'address' });
  });
});

describe.each([
  ['Ethereum', anEthereumWallet],
  ['Solana', aSolanaWallet],
])('%s wallet', (_, make) => {
  it('links to the signed-in account and then signs it in', async () => {
    const wallet = make();
    const { user, linked } = await ownerOf(wallet);
    expect(linked.wallet).toEqual({ address: wallet.address, blockchain: wallet.blockchain });

    const { message, signature } = await signed(wallet);
    const res = await login(message, signature, 'laptop');
    const payload = res.data?.loginWithWallet;
    if (payload?.__typename !== 'AuthPayload') throw new Error(`expected a session: ${res.raw}`);
    expect(payload.user.id).toBe(user.id);
    expect(payload.session).toMatchObject({ deviceId: 'laptop', deviceName: 'Test browser' });
    const me = await app.gql(MeDoc, undefined, bearer(payload.accessToken));
    expect(me.data?.me).toMatchObject({ id: user.id, wallet: { address: wallet.address } });
  });

  it('refuses a replayed message', async () => {
    const wallet = make();
    await ownerOf(wallet);
    const { message, signature } = await signed(wallet);
    expect((await login(message, signature)).data?.loginWithWallet.__typename).toBe('AuthPayload');
    const replay = await login(message, signature);
    expect(replay.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'message' });
  });

  it('refuses a message past its five minutes', async () => {
    const wallet = make();
    await ownerOf(wallet);
    const { message, signature } = await signed(wallet);
    clock.advance(300);
    const res = await login(message, signature);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'message' });
    expect(res.errors?.[0].message).toMatch(/expired/);
  });

  it('refuses a message rewritten for another domain, and the issued one still works', async () => {
    const wallet = make();
    await ownerOf(wallet);
    const { message } = await challenge(wallet);
    const foreign = message.replace(/^app\.elcorp\.test /, 'elcorp-login.example ');
    const res = await login(foreign, await wallet.sign(foreign));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'message' });
    expect((await login(message, await wallet.sign(message))).data?.loginWithWallet.__typename).toBe(
      'AuthPayload',
    );
  });

  it('refuses a signature by another key, counting it toward the lockout', async () => {
    const wallet = make();
    const { user } = await ownerOf(wallet);
    const { message, signature } = await signed(wallet, make());
    const res = await login(message, signature);
    expect(errorCode(res)).toBe('INVALID_CREDENTIALS');
    expect(await failedLoginsOf(user.id)).toBe(1);
  });

  it.each([
    ['Issued At', 9, (l: string) => l.replace(/\d{2}\.\d{3}Z$/, '59.000Z')],
    ['Expiration Time', 10, (l: string) => l.replace(/T\d{2}/, 'T23')],
    ['statement', 3, () => 'Sign in to elcorp identity with this wallet, please.'],
    ['URI', 5, () => 'URI: https://app.elcorp.test/other'],
  ])('refuses a correctly signed message whose %s was changed', async (_field, index, change) => {
    const wallet = make();
    await ownerOf(wallet);
    const { message } = await challenge(wallet);
    const tampered = withLine(message, index, change(message.split('\n')[index]));
    expect(tampered).not.toBe(message);
    const res = await login(tampered, await wallet.sign(tampered));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'message' });
    // Not spent by the altered copy: the message as issued still signs in.
    expect((await login(message, await wallet.sign(message))).data?.loginWithWallet.__typename).toBe(
      'AuthPayload',
    );
  });

  it('refuses a challenge moved to another address, even signed by that address', async () => {
    const victim = make();
    const attacker = make();
    await ownerOf(attacker);
    const { message } = await challenge(victim);
    const moved = withLine(message, 1, attacker.address);
    const res = await login(moved, await attacker.sign(moved));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'message' });
  });

  it('does not sign in with a wallet that no account linked, nor one only typed into a profile', async () => {
    const stranger = make();
    const unknown = await signed(stranger);
    expect(errorCode(await login(unknown.message, unknown.signature))).toBe('INVALID_CREDENTIALS');

    const user = await aUser(app);
    const session = await signIn(app, user, 'typed');
    await app.gql(
      UpdateProfileDoc,
      { input: { walletAddress: stranger.address, walletBlockchain: stranger.blockchain } },
      bearer(session.accessToken),
    );
    const typed = await signed(stranger);
    const res = await login(typed.message, typed.signature);
    expect(errorCode(res)).toBe('INVALID_CREDENTIALS');
    expect(res.errors?.[0].message).toBe('Invalid credentials');
  });

  it('asks for the second factor when the account has one', async () => {
    const wallet = make();
    const { session } = await ownerOf(wallet);
    const { secret } = await enrolTotp(app, clock, session.accessToken);
    const { message, signature } = await signed(wallet);
    const res = await login(message, signature, 'mfa-laptop');
    const result = res.data?.loginWithWallet;
    if (result?.__typename !== 'MfaChallenge') throw new Error(`expected an MFA challenge: ${res.raw}`);
    expect(result.methods).toEqual(['TOTP']);
    const verified = await app.gql(VerifyMfaDoc, {
      input: { challengeToken: result.challengeToken, code: totpCode(secret, clock.now()) },
    });
    expect(verified.data?.verifyMfa.session.deviceId).toBe('mfa-laptop');
  });

  it('lets one of two concurrent sign-ins with one message through', async () => {
    const wallet = make();
    await ownerOf(wallet);
    const { message, signature } = await signed(wallet);
    const results = await Promise.all([
      login(message, signature, 'tab-1'),
      login(message, signature, 'tab-2'),
    ]);
    const outcomes = results.map((r) => r.data?.loginWithWallet.__typename ?? errorCode(r)).sort();
    expect(outcomes).toEqual(['AuthPayload', 'BAD_USER_INPUT']);
  });
});

describe('malformed input', () => {
  it.each([
    ['an empty message', '', 'message'],
    ['plain text', 'please sign me in', 'message'],
    ['CRLF line ends', 'crlf', 'message'],
    ['a lower-case Ethereum address', 'lower', 'message'],
    ['an extra line', 'extra', 'message'],
  ])('refuses %s as BAD_USER_INPUT on message', async (_, kind, field) => {
    const wallet = anEthereumWallet();
    const { message } = await challenge(wallet);
    const text =
      kind === 'crlf'
        ? message.replaceAll('\n', '\r\n')
        : kind === 'lower'
          ? withLine(message, 1, wallet.address.toLowerCase())
          : kind === 'extra'
            ? `${message}\nResources:`
            : kind;
    const res = await login(text, await wallet.sign(message));
    expect(res.status).toBe(200);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it.each([
    ['ETHEREUM', 'not hex'],
    ['ETHEREUM', '0x1234'],
    ['ETHEREUM', `0x${'ab'.repeat(64)}00`], // v = 0, not 27 or 28
    ['SOLANA', '0OIl'],
    ['SOLANA', '3yZe7d'],
  ] as const)('refuses the %s signature %s as BAD_USER_INPUT on signature', async (chain, signature) => {
    const wallet = chain === 'ETHEREUM' ? anEthereumWallet() : aSolanaWallet();
    const { message } = await challenge(wallet);
    const res = await login(message, signature);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signature' });
  });

  it('answers a well-formed signature that cannot verify (values out of range) with INVALID_CREDENTIALS', async () => {
    for (const [wallet, signature] of [
      [anEthereumWallet(), `0x${'ff'.repeat(64)}1b`], // r and s above the curve order
      [aSolanaWallet(), base58.encode(new Uint8Array(64).fill(0xff))], // R no point, S above the order
    ] as const) {
      const { user } = await ownerOf(wallet);
      const { message } = await challenge(wallet);
      const res = await login(message, signature);
      expect(res.errors?.[0].extensions.code).toBe('INVALID_CREDENTIALS');
      expect(await failedLoginsOf(user.id)).toBe(1);
    }
  });
});

describe('lockout and audit', () => {
  it(`locks the account after ${THRESHOLD} wrong signatures; the owner's signature is then refused too`, async () => {
    const wallet = anEthereumWallet();
    const { user } = await ownerOf(wallet);
    for (let i = 0; i < THRESHOLD; i++) {
      const wrong = await signed(wallet, anEthereumWallet());
      expect(errorCode(await login(wrong.message, wrong.signature))).toBe('INVALID_CREDENTIALS');
    }
    const right = await signed(wallet);
    expect(errorCode(await login(right.message, right.signature))).toBe('INVALID_CREDENTIALS');
    const entries = await auditOf(app, user.id);
    const reasons = entries.filter((e) => e.type === 'login.failed').map((e) => JSON.parse(e.data).reason);
    expect(reasons).toEqual([...Array(THRESHOLD).fill('bad_signature'), 'locked_out']);
    expect(entries.map((e) => e.type)).toContain('user.locked');
    // Unlocked by time, the wallet signs in again.
    clock.advance(3600);
    const later = await signed(wallet);
    expect((await login(later.message, later.signature)).data?.loginWithWallet.__typename).toBe(
      'AuthPayload',
    );
  });

  it('records linking, sign-in and failures, never a signature or a nonce', async () => {
    const wallet = aSolanaWallet();
    const { user } = await ownerOf(wallet);
    const bad = await signed(wallet, aSolanaWallet());
    await login(bad.message, bad.signature);
    const good = await signed(wallet);
    await login(good.message, good.signature);
    const entries = await auditOf(app, user.id);
    const types = entries.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['wallet.linked', 'login.failed', 'login.succeeded']));
    expect(JSON.parse(entries.find((e) => e.type === 'wallet.linked')?.data ?? '{}')).toEqual({
      blockchain: 'SOLANA',
    });
    expect(JSON.parse(entries.filter((e) => e.type === 'login.succeeded').at(-1)?.data ?? '{}')).toEqual({
      via: 'wallet',
    });
    const all = JSON.stringify(entries);
    for (const text of [
      bad.signature,
      good.signature,
      ...[bad, good].map((m) => /Nonce: (\w+)/.exec(m.message)?.[1]),
    ])
      expect(all).not.toContain(text);
    expect(all).not.toContain(wallet.address);
  });
});

describe('linkWallet', () => {
  it('refuses a wallet linked to another account, naming the field', async () => {
    const wallet = anEthereumWallet();
    await ownerOf(wallet);
    const other = await aUser(app);
    const session = await signIn(app, other, 'other');
    const res = await app.gql(LinkWalletDoc, { input: await signed(wallet) }, bearer(session.accessToken));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'message' });
    const types = (await auditOf(app, other.id)).map((e) => e.type);
    expect(types).toContain('wallet.link_failed');
  });

  it('keeps a proved wallet with its account: another account linking it is refused', async () => {
    const wallet = aSolanaWallet();
    const { user: owner } = await ownerOf(wallet);
    const other = await aUser(app);
    const session = await signIn(app, other, 'other');
    const res = await app.gql(LinkWalletDoc, { input: await signed(wallet) }, bearer(session.accessToken));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'message' });
    const kept = await app.orm.em.fork().findOneOrFail(User, owner.id);
    expect(kept).toMatchObject({ walletAddress: wallet.address, walletVerifiedAt: expect.any(Date) });
    expect((await auditOf(app, owner.id)).map((e) => e.type)).not.toContain('wallet.claim_removed');
  });

  it("takes the wallet from a profile that only typed its address in, for the wallet's owner", async () => {
    const wallet = anEthereumWallet();
    const squatter = await aUser(app);
    const squatterSession = await signIn(app, squatter, 'squatter');
    const typed = await app.gql(
      UpdateProfileDoc,
      { input: { walletAddress: wallet.address, walletBlockchain: wallet.blockchain } },
      bearer(squatterSession.accessToken),
    );
    expect(typed.errors).toBeUndefined();

    const { user: owner, linked } = await ownerOf(wallet);
    expect(linked.wallet).toEqual({ address: wallet.address, blockchain: wallet.blockchain });
    const em = app.orm.em.fork();
    expect(await em.findOneOrFail(User, owner.id)).toMatchObject({
      walletAddress: wallet.address,
      walletVerifiedAt: expect.any(Date),
    });
    expect(await em.findOneOrFail(User, squatter.id)).toMatchObject({
      walletAddress: undefined,
      walletBlockchain: undefined,
      walletVerifiedAt: undefined,
    });
    const squatterMe = await app.gql(MeDoc, undefined, bearer(squatterSession.accessToken));
    expect(squatterMe.data?.me.wallet).toBeNull();

    const removed = (await auditOf(app, squatter.id)).filter((e) => e.type === 'wallet.claim_removed');
    expect(
      removed.map((e) => ({ actor: e.actor_id, subject: e.subject_id, data: JSON.parse(e.data) })),
    ).toEqual([{ actor: owner.id, subject: squatter.id, data: { blockchain: 'ETHEREUM' } }]);
    expect((await auditOf(app, owner.id)).map((e) => e.type)).toContain('wallet.linked');
    const mail = await mailTo(app, squatter.email, 'The wallet was removed from your profile');
    expect(mail?.text).toContain('Ethereum wallet');
    expect(mail?.text).not.toContain(wallet.address);

    // The squatter cannot type it back, and the wallet signs its owner in.
    const again = await app.gql(
      UpdateProfileDoc,
      { input: { walletAddress: wallet.address, walletBlockchain: wallet.blockchain } },
      bearer(squatterSession.accessToken),
    );
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'walletAddress' });
    const { message, signature } = await signed(wallet);
    const res = await login(message, signature);
    if (res.data?.loginWithWallet.__typename !== 'AuthPayload')
      throw new Error(`expected a session: ${res.raw}`);
    expect(res.data.loginWithWallet.user.id).toBe(owner.id);
  });

  it('leaves one winner when two accounts link one wallet at once; the other is CONFLICT, audited', async () => {
    const wallet = aSolanaWallet();
    const squatter = await aUser(app);
    const squatterSession = await signIn(app, squatter, 'squatter');
    await app.gql(
      UpdateProfileDoc,
      { input: { walletAddress: wallet.address, walletBlockchain: wallet.blockchain } },
      bearer(squatterSession.accessToken),
    );
    const accounts = await Promise.all(
      [1, 2].map(async (i) => {
        const user = await aUser(app);
        return { user, session: await signIn(app, user, `racer-${i}`), input: await signed(wallet) };
      }),
    );
    // Both links wait on the squatter's row; once it is free, the first removes the claim and
    // links, and the second finds the wallet free in its snapshot: the unique index refuses it.
    const holder = await holdRowLock(app.databaseUrl, 'select id from users where id = $1 for update', [
      squatter.id,
    ]);
    const racing = Promise.all(
      accounts.map((a) => app.gql(LinkWalletDoc, { input: a.input }, bearer(a.session.accessToken))),
    );
    try {
      await waitForLockWaits(holder.client, 'select', 2);
    } finally {
      await holder.release();
    }
    const results = await racing;
    const winners = results.filter((r) => r.data?.linkWallet);
    expect(winners).toHaveLength(1);
    const loser = accounts[results.findIndex((r) => !r.data?.linkWallet)];
    expect(results.find((r) => !r.data?.linkWallet)?.errors?.[0].extensions).toMatchObject({
      code: 'CONFLICT',
      field: 'message',
    });
    const failed = (await auditOf(app, loser.user.id)).filter((e) => e.type === 'wallet.link_failed');
    expect(failed.map((e) => JSON.parse(e.data))).toEqual([{ reason: 'wallet_taken', blockchain: 'SOLANA' }]);
    expect((await auditOf(app, squatter.id)).filter((e) => e.type === 'wallet.claim_removed')).toHaveLength(
      1,
    );
  });

  it('refuses a signature by another key', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'link-bad');
    const wallet = aSolanaWallet();
    const res = await app.gql(
      LinkWalletDoc,
      { input: await signed(wallet, aSolanaWallet()) },
      bearer(session.accessToken),
    );
    expect(errorCode(res)).toBe('INVALID_CREDENTIALS');
    const me = await app.gql(MeDoc, undefined, bearer(session.accessToken));
    expect(me.data?.me.wallet).toBeNull();
  });

  it('needs a sign-in within 5 minutes, or the password', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'link-old');
    clock.advance(301);
    const wallet = anEthereumWallet();
    const old = await app.gql(LinkWalletDoc, { input: await signed(wallet) }, bearer(session.accessToken));
    expect(errorCode(old)).toBe('FORBIDDEN');
    const withPassword = await app.gql(
      LinkWalletDoc,
      { input: { ...(await signed(wallet)), password: user.password } },
      bearer(session.accessToken),
    );
    expect(withPassword.data?.linkWallet.wallet?.address).toBe(wallet.address);
  });

  it('needs a signed-in caller', async () => {
    const res = await app.gql(LinkWalletDoc, { input: await signed(anEthereumWallet()) });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});

describe('walletChallenge budget', () => {
  it('refuses more challenges per client address than RATE_LIMIT_WALLET_CHALLENGES_PER_MINUTE', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_WALLET_CHALLENGES_PER_MINUTE: '2' } });
    try {
      const input = { blockchain: 'SOLANA' as const, address: aSolanaWallet().address };
      const codes = [];
      for (let i = 0; i < 3; i++)
        codes.push(errorCode(await limited.gql(WalletChallengeDoc, { input })) ?? 'OK');
      expect(codes).toEqual(['OK', 'OK', 'RATE_LIMITED']);
    } finally {
      await limited.close();
    }
  });
});
