import { auditOf } from '../support/audit';
import { midTotpStep, testClock } from '../support/clock';
import { errorCode } from '../support/errors';
import { anAdmin, aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { challengeFor, enrolTotp } from '../support/mfa';
import { DeleteAccountDoc, LoginDoc, MySessionsDoc, SuspendUserDoc } from '../support/operations';
import { type CeremonyOptions, SoftwareAuthenticator } from '../support/passkey-authenticator';
import {
  BeginPasskeyLoginDoc,
  BeginPasskeyRegistrationDoc,
  FinishPasskeyLoginDoc,
  FinishPasskeyRegistrationDoc,
  MyPasskeysDoc,
  RemovePasskeyDoc,
  RenamePasskeyDoc,
} from '../support/passkey-operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { JWT_FORMAT } from '../support/tokens';

/**
 * Passkeys against the real service, with a software authenticator playing the browser and the
 * authenticator (tests/support/passkey-authenticator.ts): ES256 keys, "none" attestation, real
 * signatures that @simplewebauthn/server verifies. PUBLIC_WEB_URL makes the RP id `id.elcorp.test`
 * and the one accepted origin `https://id.elcorp.test`.
 */
const ORIGIN = 'https://id.elcorp.test';
const clock = testClock(midTotpStep());
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    clock,
    env: { PUBLIC_WEB_URL: `${ORIGIN}/account`, RATE_LIMIT_PASSKEY_OPTIONS_PER_MINUTE: '100000' },
  });
});
afterAll(() => app.close());

type Json = Record<string, unknown>;

/** A user signed in just now, with a passkey registered on `authenticator`. */
async function userWithPasskey(
  authenticator = new SoftwareAuthenticator(ORIGIN),
  name: string | null = 'Laptop',
) {
  const user = await aUser(app);
  const session = await signIn(app, user, 'register-device');
  const passkey = await register(session.accessToken, authenticator, name);
  return { user, session, authenticator, passkey };
}

async function register(accessToken: string, authenticator: SoftwareAuthenticator, name: string | null) {
  const begin = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(accessToken));
  expect(begin.errors).toBeUndefined();
  const response = authenticator.create(begin.data?.beginPasskeyRegistration as Json);
  const finish = await app.gql(FinishPasskeyRegistrationDoc, { response, name }, bearer(accessToken));
  expect(finish.errors).toBeUndefined();
  return finish.data?.finishPasskeyRegistration as { id: string; name: string };
}

async function loginOptions(challengeToken?: string): Promise<Json> {
  const res = await app.gql(BeginPasskeyLoginDoc, { challengeToken });
  expect(res.errors).toBeUndefined();
  return res.data?.beginPasskeyLogin as Json;
}

/** Signs in with a passkey of `authenticator` (usernameless), bending the ceremony as asked. */
async function passkeyLogin(
  authenticator: SoftwareAuthenticator,
  how: CeremonyOptions = {},
  deviceId = 'pk-device',
) {
  const response = authenticator.get(await loginOptions(), how);
  return app.gql(FinishPasskeyLoginDoc, { response, deviceId, deviceName: 'Phone' });
}

const typeOf = (res: Awaited<ReturnType<typeof passkeyLogin>>) =>
  res.data?.finishPasskeyLogin.__typename ?? errorCode(res);

describe('registering passkeys', () => {
  it('asks for a discoverable credential with user verification, for this relying party', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    const res = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken));
    const options = res.data?.beginPasskeyRegistration as Json;
    expect(options).toMatchObject({
      rp: { id: 'id.elcorp.test', name: 'elcorp' },
      user: { name: user.username },
      attestation: 'none',
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
      excludeCredentials: [],
    });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('adds, lists, renames and removes a passkey, each change audited', async () => {
    const { user, session, passkey } = await userWithPasskey(undefined, 'Work laptop');
    expect(passkey).toMatchObject({ name: 'Work laptop' });
    const list = await app.gql(MyPasskeysDoc, {}, bearer(session.accessToken));
    expect(list.data?.myPasskeys).toEqual([
      { id: passkey.id, name: 'Work laptop', createdAt: expect.any(String), lastUsedAt: null },
    ]);
    const renamed = await app.gql(
      RenamePasskeyDoc,
      { id: passkey.id, name: ' Home laptop ' },
      bearer(session.accessToken),
    );
    expect(renamed.data?.renamePasskey.name).toBe('Home laptop');
    const removed = await app.gql(RemovePasskeyDoc, { id: passkey.id }, bearer(session.accessToken));
    expect(removed.data?.removePasskey).toBe(true);
    expect((await app.gql(MyPasskeysDoc, {}, bearer(session.accessToken))).data?.myPasskeys).toEqual([]);
    const types = (await auditOf(app, user.id)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['passkey.registered', 'passkey.renamed', 'passkey.removed']),
    );
  });

  it('names a passkey "Passkey" when no name is given, and refuses empty or long names', async () => {
    const { session } = await userWithPasskey(undefined, null);
    const [passkey] = (await app.gql(MyPasskeysDoc, {}, bearer(session.accessToken))).data?.myPasskeys ?? [];
    expect(passkey.name).toBe('Passkey');
    for (const name of ['   ', 'x'.repeat(65)]) {
      const res = await app.gql(RenamePasskeyDoc, { id: passkey.id, name }, bearer(session.accessToken));
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    }
  });

  it('excludes the passkeys the account already has', async () => {
    const { session, authenticator } = await userWithPasskey();
    const res = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken));
    const options = res.data?.beginPasskeyRegistration as { excludeCredentials: { id: string }[] };
    expect(options.excludeCredentials.map((c) => c.id)).toEqual([authenticator.credentials[0].id]);
  });

  it('needs a sign-in: without one UNAUTHENTICATED, with an old one the password', async () => {
    expect(errorCode(await app.gql(BeginPasskeyRegistrationDoc, {}))).toBe('UNAUTHENTICATED');
    const user = await aUser(app);
    const session = await signIn(app, user);
    clock.advance(301);
    expect(errorCode(await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken)))).toBe(
      'FORBIDDEN',
    );
    const withPassword = await app.gql(
      BeginPasskeyRegistrationDoc,
      { password: user.password },
      bearer(session.accessToken),
    );
    expect(withPassword.errors).toBeUndefined();
  });

  it.each<[string, CeremonyOptions, string]>([
    ['another origin', { origin: 'https://evil.example' }, 'wrong_origin'],
    ['another RP id', { rpId: 'evil.example' }, 'wrong_rp_id'],
    ['no user verification', { userVerified: false }, 'user_not_verified'],
    [
      'a challenge never issued',
      { challenge: 'bm90LWEtY2hhbGxlbmdlLWZyb20tdGhpcy1zZXJ2aWNl' },
      'challenge_unknown',
    ],
  ])('refuses a registration from %s (BAD_USER_INPUT on response), audited', async (_what, how, reason) => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    const begin = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken));
    const response = new SoftwareAuthenticator(ORIGIN).create(
      begin.data?.beginPasskeyRegistration as Json,
      how,
    );
    const res = await app.gql(FinishPasskeyRegistrationDoc, { response }, bearer(session.accessToken));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'response' });
    expect((await app.gql(MyPasskeysDoc, {}, bearer(session.accessToken))).data?.myPasskeys).toEqual([]);
    const failed = (await auditOf(app, user.id)).filter((e) => e.type === 'passkey.registration_failed');
    expect(failed.map((e) => JSON.parse(e.data).reason)).toEqual([reason]);
  });

  it('accepts a registration challenge once, and only from the account it was issued to', async () => {
    const user = await aUser(app);
    const other = await aUser(app);
    const session = await signIn(app, user);
    const otherSession = await signIn(app, other);
    const begin = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken));
    const response = new SoftwareAuthenticator(ORIGIN).create(begin.data?.beginPasskeyRegistration as Json);
    const stolen = await app.gql(
      FinishPasskeyRegistrationDoc,
      { response },
      bearer(otherSession.accessToken),
    );
    expect(stolen.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'response' });
    const first = await app.gql(FinishPasskeyRegistrationDoc, { response }, bearer(session.accessToken));
    expect(first.errors).toBeUndefined();
    const replay = await app.gql(FinishPasskeyRegistrationDoc, { response }, bearer(session.accessToken));
    expect(replay.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'response' });
  });

  it('keeps to 20 passkeys when the last ones are finished in parallel', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'many-passkeys');
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    for (let i = 0; i < 19; i++) await register(session.accessToken, authenticator, `Key ${i}`);
    const responses: Json[] = [];
    for (let i = 0; i < 3; i++) {
      const begin = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken));
      expect(begin.errors).toBeUndefined();
      responses.push(new SoftwareAuthenticator(ORIGIN).create(begin.data?.beginPasskeyRegistration as Json));
    }
    // The account's row held: every finish has checked its challenge and waits in its transaction.
    const holder = await holdRowLock(app.databaseUrl, 'select id from users where id = $1 for update', [
      user.id,
    ]);
    const finishing = Promise.all(
      responses.map((response) =>
        app.gql(FinishPasskeyRegistrationDoc, { response, name: 'Late' }, bearer(session.accessToken)),
      ),
    );
    try {
      await waitForLockWaits(holder.client, '', 3);
    } finally {
      await holder.release();
    }
    const results = await finishing;
    expect(results.map((r) => errorCode(r) ?? 'OK').sort()).toEqual(['FORBIDDEN', 'FORBIDDEN', 'OK']);
    const [{ n }] = await app.orm.em
      .getConnection()
      .execute('select count(*)::int as n from passkeys where user_id = ?', [user.id]);
    expect(n).toBe(20);
  });

  it('refuses malformed responses with BAD_USER_INPUT on response, never a 500', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    const malformed: Json[] = [
      {},
      { id: 'abc', rawId: 'abc', type: 'public-key' },
      {
        id: 'a b',
        rawId: 'a b',
        type: 'public-key',
        response: { clientDataJSON: 'x', attestationObject: 'y' },
      },
      {
        id: 'abc',
        rawId: 'abc',
        type: 'public-key',
        response: { clientDataJSON: 'bm90IGpzb24', attestationObject: 'eHh4' },
      },
      {
        id: 'abc',
        rawId: 'abc',
        type: 'other',
        response: { clientDataJSON: 'e30', attestationObject: 'eHh4' },
      },
    ];
    for (const response of malformed) {
      const res = await app.gql(FinishPasskeyRegistrationDoc, { response }, bearer(session.accessToken));
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'response' });
    }
    // A challenge that exists, and an attestation object that is not CBOR.
    const begin = await app.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken));
    const good = new SoftwareAuthenticator(ORIGIN).create(begin.data?.beginPasskeyRegistration as Json);
    const response = { ...good, response: { ...(good.response as Json), attestationObject: 'AAAA' } };
    const res = await app.gql(FinishPasskeyRegistrationDoc, { response }, bearer(session.accessToken));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'response' });
  });

  it('removing a passkey needs a recent sign-in, and another account cannot touch it', async () => {
    const { session, passkey } = await userWithPasskey();
    const other = await aUser(app);
    const otherSession = await signIn(app, other);
    for (const res of [
      await app.gql(RenamePasskeyDoc, { id: passkey.id, name: 'mine now' }, bearer(otherSession.accessToken)),
      await app.gql(RemovePasskeyDoc, { id: passkey.id }, bearer(otherSession.accessToken)),
      await app.gql(RemovePasskeyDoc, { id: 'not-a-uuid' }, bearer(session.accessToken)),
    ])
      expect(errorCode(res)).toBe('NOT_FOUND');
    clock.advance(301);
    expect(errorCode(await app.gql(RemovePasskeyDoc, { id: passkey.id }, bearer(session.accessToken)))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('signing in with a passkey', () => {
  it('signs in without a username, on the device, audited as a passkey sign-in and use', async () => {
    const { user, authenticator, passkey, session } = await userWithPasskey();
    const options = await loginOptions();
    expect(options).toMatchObject({
      rpId: 'id.elcorp.test',
      userVerification: 'required',
      allowCredentials: [],
    });
    const response = authenticator.get(options);
    const res = await app.gql(FinishPasskeyLoginDoc, {
      response,
      deviceId: 'pk-device',
      deviceName: 'Phone',
    });
    expect(res.errors).toBeUndefined();
    const payload = res.data?.finishPasskeyLogin;
    if (payload?.__typename !== 'AuthPayload') throw new Error(`expected a session: ${res.raw}`);
    expect(payload.user.id).toBe(user.id);
    expect(payload.accessToken).toMatch(JWT_FORMAT);
    expect(payload.session).toMatchObject({ deviceId: 'pk-device', deviceName: 'Phone', current: true });
    const [listed] = (await app.gql(MyPasskeysDoc, {}, bearer(session.accessToken))).data?.myPasskeys ?? [];
    expect(listed.lastUsedAt).toBe(clock.now().toISOString());
    const entries = await auditOf(app, user.id);
    const succeeded = entries.filter((e) => e.type === 'login.succeeded').map((e) => JSON.parse(e.data).via);
    expect(succeeded).toContain('passkey');
    const used = entries.find((e) => e.type === 'passkey.used');
    expect(JSON.parse(used?.data ?? '{}')).toEqual({ passkeyId: passkey.id, purpose: 'sign_in' });
  });

  it('accepts a response once: a replay is INVALID_CREDENTIALS', async () => {
    const { authenticator } = await userWithPasskey();
    const response = authenticator.get(await loginOptions());
    const first = await app.gql(FinishPasskeyLoginDoc, { response, deviceId: 'pk-device' });
    expect(first.data?.finishPasskeyLogin.__typename).toBe('AuthPayload');
    const replay = await app.gql(FinishPasskeyLoginDoc, { response, deviceId: 'pk-device' });
    expect(errorCode(replay)).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a challenge past its 5 minutes', async () => {
    const { authenticator } = await userWithPasskey();
    const options = await loginOptions();
    clock.advance(301);
    const response = authenticator.get(options);
    expect(errorCode(await app.gql(FinishPasskeyLoginDoc, { response, deviceId: 'pk-device' }))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it.each<[string, CeremonyOptions, string]>([
    ['another origin', { origin: 'https://id.elcorp.test.evil.example' }, 'passkey_wrong_origin'],
    ['another RP id', { rpId: 'evil.example' }, 'passkey_wrong_rp_id'],
    ['a bad signature', { badSignature: true }, 'passkey_bad_signature'],
    ['no user verification', { userVerified: false }, 'passkey_user_not_verified'],
  ])('refuses an assertion with %s as INVALID_CREDENTIALS, audited', async (_what, how, reason) => {
    const { user, authenticator } = await userWithPasskey();
    expect(typeOf(await passkeyLogin(authenticator, how))).toBe('INVALID_CREDENTIALS');
    const failed = (await auditOf(app, user.id)).filter((e) => e.type === 'login.failed');
    expect(failed.map((e) => JSON.parse(e.data).reason)).toEqual([reason]);
    // The passkey itself still works.
    expect(typeOf(await passkeyLogin(authenticator))).toBe('AuthPayload');
  });

  it('refuses an unknown credential, and a malformed response names the field', async () => {
    const stranger = new SoftwareAuthenticator(ORIGIN);
    stranger.create({ rp: { id: 'id.elcorp.test' }, user: { id: 'dW5rbm93bg' }, challenge: 'AAAA' });
    expect(typeOf(await passkeyLogin(stranger))).toBe('INVALID_CREDENTIALS');
    const res = await app.gql(FinishPasskeyLoginDoc, {
      response: { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'e30' } },
      deviceId: 'pk-device',
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'response' });
  });

  it('refuses a signature counter that did not move on (a cloned authenticator), audited', async () => {
    const { user, authenticator } = await userWithPasskey();
    const clone = authenticator.clone();
    expect(typeOf(await passkeyLogin(authenticator))).toBe('AuthPayload'); // counter 1
    expect(typeOf(await passkeyLogin(authenticator))).toBe('AuthPayload'); // counter 2
    expect(typeOf(await passkeyLogin(clone))).toBe('INVALID_CREDENTIALS'); // counter 1 again
    expect(typeOf(await passkeyLogin(authenticator, { counter: 0 }))).toBe('INVALID_CREDENTIALS');
    const rejected = (await auditOf(app, user.id)).filter((e) => e.type === 'passkey.counter_rejected');
    expect(rejected.map((e) => JSON.parse(e.data))).toEqual([
      expect.objectContaining({ stored: 2, reported: 1 }),
      expect.objectContaining({ stored: 2, reported: 0 }),
    ]);
    expect(typeOf(await passkeyLogin(authenticator))).toBe('AuthPayload'); // counter 3
  });

  it('accepts an authenticator that keeps no counter (always 0)', async () => {
    const { authenticator } = await userWithPasskey(new SoftwareAuthenticator(ORIGIN, { counter: 'none' }));
    for (let i = 0; i < 3; i++) expect(typeOf(await passkeyLogin(authenticator))).toBe('AuthPayload');
  });

  it('refuses a suspended account, and a removed passkey', async () => {
    const { user, authenticator } = await userWithPasskey();
    const admin = await anAdmin(app);
    await app.gql(SuspendUserDoc, { id: user.id }, bearer(admin.session.accessToken));
    expect(typeOf(await passkeyLogin(authenticator))).toBe('INVALID_CREDENTIALS');

    const other = await userWithPasskey();
    await app.gql(RemovePasskeyDoc, { id: other.passkey.id }, bearer(other.session.accessToken));
    expect(typeOf(await passkeyLogin(other.authenticator))).toBe('INVALID_CREDENTIALS');
  });

  it('completes the sign-in without another factor when the account has MFA on', async () => {
    const { user, session, authenticator } = await userWithPasskey();
    await enrolTotp(app, clock, session.accessToken);
    const res = await passkeyLogin(authenticator);
    expect(res.data?.finishPasskeyLogin).toMatchObject({ __typename: 'AuthPayload', user: { id: user.id } });
  });
});

describe('passkey sign-in and REQUIRE_VERIFIED_EMAIL', () => {
  it('refuses the right passkey on an unverified address with FORBIDDEN, audited; a wrong one learns nothing', async () => {
    // The same database behind an instance that requires a verified address, as after an
    // operator turns the setting on: the passkey was added while it was off.
    const strict = await startTestApp({
      clock,
      databaseUrl: app.databaseUrl,
      env: {
        PUBLIC_WEB_URL: `${ORIGIN}/account`,
        RATE_LIMIT_PASSKEY_OPTIONS_PER_MINUTE: '100000',
        REQUIRE_VERIFIED_EMAIL: 'true',
      },
    });
    try {
      const { user, authenticator } = await userWithPasskey();
      const strictLogin = async (how: CeremonyOptions = {}) => {
        const options = await strict.gql(BeginPasskeyLoginDoc, {});
        const response = authenticator.get(options.data?.beginPasskeyLogin as Json, how);
        const res = await strict.gql(FinishPasskeyLoginDoc, { response, deviceId: 'pk-device' });
        return res.data?.finishPasskeyLogin.__typename ?? errorCode(res);
      };
      expect(await strictLogin({ badSignature: true })).toBe('INVALID_CREDENTIALS');
      expect(await strictLogin()).toBe('FORBIDDEN');
      const failed = (await auditOf(app, user.id)).filter((e) => e.type === 'login.failed');
      expect(failed.map((e) => JSON.parse(e.data))).toEqual([
        expect.objectContaining({ reason: 'passkey_bad_signature', method: 'passkey' }),
        expect.objectContaining({ reason: 'email_unverified', method: 'passkey' }),
      ]);
      expect((await auditOf(app, user.id)).filter((e) => e.type === 'passkey.used')).toEqual([]);
      // Verified, the same passkey signs in.
      await app.orm.em
        .getConnection()
        .execute('update users set email_verified = true where id = ?', [user.id]);
      expect(await strictLogin()).toBe('AuthPayload');
    } finally {
      await strict.close();
    }
  });
});

describe('passkey sign-in and the account lockout', () => {
  const wrongPasswords = async (email: string, n: number) => {
    for (let i = 0; i < n; i++)
      await app.gql(LoginDoc, {
        input: { identifier: email, password: 'not the passphrase at all', deviceId: 'x' },
      });
  };

  it('refuses a locked-out account, but not from a device that proves earlier trust', async () => {
    const { user, authenticator } = await userWithPasskey();
    const first = await passkeyLogin(authenticator, {}, 'owner-phone');
    const payload = first.data?.finishPasskeyLogin;
    if (payload?.__typename !== 'AuthPayload') throw new Error(`expected a session: ${first.raw}`);
    await wrongPasswords(user.email, 5);
    expect(typeOf(await passkeyLogin(authenticator, {}, 'owner-phone'))).toBe('INVALID_CREDENTIALS');
    const reasons = (await auditOf(app, user.id))
      .filter((e) => e.type === 'login.failed')
      .map((e) => JSON.parse(e.data).reason);
    expect(reasons.at(-1)).toBe('locked_out');
    const response = authenticator.get(await loginOptions());
    const trusted = await app.gql(FinishPasskeyLoginDoc, {
      response,
      deviceId: 'owner-phone',
      deviceTrustToken: payload.deviceTrustToken,
    });
    expect(trusted.data?.finishPasskeyLogin.__typename).toBe('AuthPayload');
  });

  it('counts a failed assertion of a known passkey toward the lockout', async () => {
    const { user, authenticator } = await userWithPasskey();
    for (let i = 0; i < 5; i++)
      expect(typeOf(await passkeyLogin(authenticator, { badSignature: true }))).toBe('INVALID_CREDENTIALS');
    // Locked now: even a good assertion is refused.
    expect(typeOf(await passkeyLogin(authenticator))).toBe('INVALID_CREDENTIALS');
    const [{ locked_until }] = await app.orm.em
      .getConnection()
      .execute('select locked_until from users where id = ?', [user.id]);
    expect(locked_until).not.toBeNull();
  });

  it('accepts one of two parallel finishes of the same response', async () => {
    const { authenticator } = await userWithPasskey();
    const response = authenticator.get(await loginOptions());
    const results = await Promise.all(
      [1, 2, 3].map(() => app.gql(FinishPasskeyLoginDoc, { response, deviceId: 'pk-device' })),
    );
    expect(results.map(typeOf).sort()).toEqual(['AuthPayload', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
  });

  it('refuses a response that is not a JSON object before any resolver runs', async () => {
    const res = await app.gqlAny(FinishPasskeyLoginDoc, { response: 'a string', deviceId: 'pk-device' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.status).toBe(400);
  });
});

describe('the passkey options budget', () => {
  it('hands out RATE_LIMIT_PASSKEY_OPTIONS_PER_MINUTE sign-in options per client a minute', async () => {
    const limited = await startTestApp({
      clock,
      env: { PUBLIC_WEB_URL: ORIGIN, RATE_LIMIT_PASSKEY_OPTIONS_PER_MINUTE: '2' },
    });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push(errorCode(await limited.gql(BeginPasskeyLoginDoc, {})) ?? 'OK');
      expect(codes).toEqual(['OK', 'OK', 'RATE_LIMITED']);
      clock.advance(61);
      expect(errorCode(await limited.gql(BeginPasskeyLoginDoc, {}))).toBeUndefined();
    } finally {
      await limited.close();
    }
  });

  it('is spent by registration options too: each holds a challenge', async () => {
    const limited = await startTestApp({
      clock,
      env: { PUBLIC_WEB_URL: ORIGIN, RATE_LIMIT_PASSKEY_OPTIONS_PER_MINUTE: '2' },
    });
    try {
      const session = await signIn(limited, await aUser(limited));
      const begin = async () =>
        errorCode(await limited.gql(BeginPasskeyRegistrationDoc, {}, bearer(session.accessToken))) ?? 'OK';
      expect([await begin(), await begin(), await begin()]).toEqual(['OK', 'OK', 'RATE_LIMITED']);
      const [{ n }] = await limited.orm.em
        .getConnection()
        .execute("select count(*)::int as n from passkey_challenges where ceremony = 'registration'");
      expect(n).toBe(2);
      clock.advance(61);
      expect(await begin()).toBe('OK');
    } finally {
      await limited.close();
    }
  });
});

describe('a passkey as the second factor', () => {
  async function mfaUserWithPasskey() {
    const setup = await userWithPasskey();
    await enrolTotp(app, clock, setup.session.accessToken);
    return setup;
  }

  it("is offered in the MFA challenge and answers it, opening the session of the challenge's device", async () => {
    const { user, authenticator, passkey } = await mfaUserWithPasskey();
    const challenge = await challengeFor(app, user);
    expect(challenge.methods).toEqual(['TOTP', 'PASSKEY']);
    const options = await loginOptions(challenge.challengeToken);
    expect(options.allowCredentials).toEqual([
      { id: authenticator.credentials[0].id, type: 'public-key', transports: ['internal'] },
    ]);
    const response = authenticator.get(options);
    const res = await app.gql(FinishPasskeyLoginDoc, {
      response,
      deviceId: 'mfa-device',
      challengeToken: challenge.challengeToken,
    });
    expect(res.errors).toBeUndefined();
    const payload = res.data?.finishPasskeyLogin;
    if (payload?.__typename !== 'AuthPayload') throw new Error(`expected a session: ${res.raw}`);
    expect(payload.session).toMatchObject({ deviceId: 'mfa-device', current: true });
    const sessions = await app.gql(MySessionsDoc, {}, bearer(payload.accessToken));
    expect(sessions.data?.mySessions.map((s) => s.deviceId)).toContain('mfa-device');
    const entries = await auditOf(app, user.id);
    expect(entries.filter((e) => e.type === 'mfa.passed').map((e) => JSON.parse(e.data).factor)).toEqual([
      'PASSKEY',
    ]);
    const used = entries.filter((e) => e.type === 'passkey.used').map((e) => JSON.parse(e.data));
    expect(used).toEqual([{ passkeyId: passkey.id, purpose: 'second_factor' }]);
    // The MFA challenge is used up.
    const again = await app.gql(BeginPasskeyLoginDoc, { challengeToken: challenge.challengeToken });
    expect(errorCode(again)).toBe('UNAUTHENTICATED');
  });

  it('does not offer PASSKEY to an account without passkeys', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'enrol');
    await enrolTotp(app, clock, session.accessToken);
    const challenge = await challengeFor(app, user);
    expect(challenge.methods).toEqual(['TOTP']);
    const res = await app.gql(BeginPasskeyLoginDoc, { challengeToken: challenge.challengeToken });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'challengeToken' });
  });

  it("refuses another account's passkey, and a sign-in challenge used for a second factor", async () => {
    const { user } = await mfaUserWithPasskey();
    const intruder = await userWithPasskey();
    const challenge = await challengeFor(app, user);
    const options = await loginOptions(challenge.challengeToken);
    const foreign = intruder.authenticator.get(options, {
      credentialId: intruder.authenticator.credentials[0].id,
    });
    const res = await app.gql(FinishPasskeyLoginDoc, {
      response: foreign,
      deviceId: 'mfa-device',
      challengeToken: challenge.challengeToken,
    });
    expect(errorCode(res)).toBe('INVALID_CREDENTIALS');
    // A usernameless sign-in challenge does not answer an MFA challenge either.
    const usernameless = intruder.authenticator.get(await loginOptions());
    const res2 = await app.gql(FinishPasskeyLoginDoc, {
      response: usernameless,
      deviceId: 'mfa-device',
      challengeToken: challenge.challengeToken,
    });
    expect(errorCode(res2)).toBe('INVALID_CREDENTIALS');
    const reasons = (await auditOf(app, user.id))
      .filter((e) => e.type === 'mfa.failed')
      .map((e) => JSON.parse(e.data).reason);
    expect(reasons).toEqual(['passkey_unknown', 'passkey_challenge_unknown']);
  });

  it('lets one of two parallel answers through, with an authenticator that keeps no counter', async () => {
    const setup = await userWithPasskey(new SoftwareAuthenticator(ORIGIN, { counter: 'none' }));
    await enrolTotp(app, clock, setup.session.accessToken);
    const challenge = await challengeFor(app, setup.user);
    // Each answer to its own passkey challenge, both issued for the one MFA challenge.
    const responses: Json[] = [];
    for (let i = 0; i < 2; i++)
      responses.push(setup.authenticator.get(await loginOptions(challenge.challengeToken)));
    // The MFA challenge's row held: both answers have read it unused and wait to take a try.
    const holder = await holdRowLock(
      app.databaseUrl,
      'select id from mfa_challenges where user_id = $1 for no key update',
      [setup.user.id],
    );
    const answering = Promise.all(
      responses.map((response) =>
        app.gql(FinishPasskeyLoginDoc, {
          response,
          deviceId: 'mfa-device',
          challengeToken: challenge.challengeToken,
        }),
      ),
    );
    try {
      await waitForLockWaits(holder.client, 'update', 2);
    } finally {
      await holder.release();
    }
    const results = await answering;
    expect(results.map(typeOf).sort()).toEqual(['AuthPayload', 'UNAUTHENTICATED']);
    const [{ n }] = await app.orm.em
      .getConnection()
      .execute('select count(*)::int as n from sessions where user_id = ? and device_id = ?', [
        setup.user.id,
        'mfa-device',
      ]);
    expect(n).toBe(1);
    const passed = (await auditOf(app, setup.user.id)).filter((e) => e.type === 'mfa.passed');
    expect(passed).toHaveLength(1);
  });

  it('must come from the device the challenge was issued to', async () => {
    const { user, authenticator } = await mfaUserWithPasskey();
    const challenge = await challengeFor(app, user);
    const response = authenticator.get(await loginOptions(challenge.challengeToken));
    const res = await app.gql(FinishPasskeyLoginDoc, {
      response,
      deviceId: 'another-device',
      challengeToken: challenge.challengeToken,
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
  });
});

describe('deleting the account', () => {
  it('deletes its passkeys', async () => {
    const { user, session, authenticator } = await userWithPasskey();
    const res = await app.gql(DeleteAccountDoc, { password: user.password }, bearer(session.accessToken));
    expect(res.errors).toBeUndefined();
    const [{ n }] = await app.orm.em
      .getConnection()
      .execute('select count(*)::int as n from passkeys where user_id = ?', [user.id]);
    expect(n).toBe(0);
    expect(typeOf(await passkeyLogin(authenticator))).toBe('INVALID_CREDENTIALS');
  });
});
