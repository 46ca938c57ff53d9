import { randomBytes } from 'node:crypto';
import { createFieldEncryption } from '../../src/adapters/crypto/field-encryption';
import { totpCode } from '../../src/identity/domain/one-time-codes';
import { User } from '../../src/identity/domain/user.entity';
import { midTotpStep, testClock } from '../support/clock';
import { runOperatorCommand } from '../support/command';
import { openTestOrm } from '../support/database';
import { aUser, signIn } from '../support/factories';
import { challengeFor, enrolTotp } from '../support/mfa';
import { MeDoc, VerifyMfaDoc } from '../support/operations';
import { bearer, startTestApp } from '../support/test-app';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('field encryption key rotation', () => {
  it('re-encrypts every encrypted column under the new key, after which the old key can go', async () => {
    const clock = testClock(midTotpStep());
    const oldKey = key('old');
    const newKey = key('new');
    const before = await startTestApp({ clock, env: { FIELD_ENCRYPTION_KEYS: oldKey } });
    let databaseUrl = '';
    let secret = '';
    let user: Awaited<ReturnType<typeof aUser>>;
    let accessToken = '';
    try {
      databaseUrl = before.databaseUrl;
      user = await aUser(before, { phone: '0812345678' });
      const session = await signIn(before, user);
      accessToken = session.accessToken;
      ({ secret } = await enrolTotp(before, clock, session.accessToken));
      await before.service.auditCheckpoints.signNow();

      const run = runOperatorCommand(before, 'fields-reencrypt', [], {
        FIELD_ENCRYPTION_KEYS: `${newKey},${oldKey}`,
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('users.phone: 1 re-encrypted');
      expect(run.stdout).toContain('users.mfa_secret: 1 re-encrypted');
      expect(run.stdout).toMatch(/signing_keys.private_jwk_ciphertext: [1-9]/);
      expect(run.stdout).toContain('audit_checkpoint_keys.private_jwk_ciphertext: 1 re-encrypted');

      const conn = before.orm.em.getConnection();
      const [row] = await conn.execute('select phone, mfa_secret from users where id = ?', [user.id]);
      expect(row.phone).toMatch(/^v1:new:/);
      expect(row.mfa_secret).toMatch(/^v1:new:/);
      const keys = await conn.execute('select private_jwk_ciphertext as c from signing_keys');
      for (const k of keys) expect(k.c).toMatch(/^v1:new:/);
      // Running it again has nothing left to do.
      const again = runOperatorCommand(before, 'fields-reencrypt', [], {
        FIELD_ENCRYPTION_KEYS: `${newKey},${oldKey}`,
      });
      expect(again.stdout).toContain('users.phone: 0 re-encrypted');
    } finally {
      await before.close();
    }

    const after = await startTestApp({ clock, databaseUrl, env: { FIELD_ENCRYPTION_KEYS: newKey } });
    try {
      clock.advance(30);
      expect((await after.gql(MeDoc, undefined, bearer(accessToken))).data?.me.phone).toBe('+264812345678');
      const { challengeToken } = await challengeFor(after, user);
      const res = await after.gql(VerifyMfaDoc, {
        input: { challengeToken, code: totpCode(secret, clock.now()) },
      });
      expect(res.data?.verifyMfa.user.id).toBe(user.id);
      // The audit checkpoint key, re-encrypted in place, still signs under the new key alone.
      expect((await after.service.auditCheckpoints.signNow()).keyId).toBeTruthy();
    } finally {
      await after.close();
    }
  });

  it('refuses to read a value under a key it does not have', async () => {
    const app = await startTestApp({ env: { FIELD_ENCRYPTION_KEYS: key('only') } });
    try {
      const user = await aUser(app, { phone: '0812345678' });
      // Without the key the signing key cannot be read: an instance refuses to start, naming
      // only the key id it lacks.
      const other = startTestApp({
        databaseUrl: app.databaseUrl,
        env: { FIELD_ENCRYPTION_KEYS: key('other') },
      });
      await expect(other).rejects.toThrow(/^Encrypted field cannot be decrypted: unknown key id only$/);
      // Nor the user's phone.
      const orm = await openTestOrm(app.databaseUrl, {
        encryption: createFieldEncryption([{ id: 'other', key: randomBytes(32) }]),
      });
      try {
        await expect(orm.em.fork().findOneOrFail(User, user.id)).rejects.toThrow(/unknown key id only$/);
      } finally {
        await orm.close();
      }
    } finally {
      await app.close();
    }
  });
});
