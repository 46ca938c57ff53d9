import { createLogger, createRequestScope } from '../../src/kernel/logger';
import { aRegistration, signIn } from '../support/factories';
import { ChangePasswordDoc, LoginDoc, MeDoc, RefreshDoc, RegisterDoc } from '../support/operations';
import { bearer, startTestApp } from '../support/test-app';

describe('structured logs', () => {
  it('carry a request id, operation, user and duration, and never a secret the scenario used', async () => {
    const logLines: string[] = [];
    const app = await startTestApp({ logLines });
    const input = aRegistration({ password: 'my very secret passphrase 7' });
    const secrets: string[] = [input.password, 'another secret passphrase 9', 'wrong guess secret 1'];
    try {
      await app.gql(RegisterDoc, { input });
      await app.gql(LoginDoc, { input: { identifier: input.email, password: secrets[2], deviceId: 'x' } });
      const login = await signIn(app, input, 'phone');
      secrets.push(login.accessToken, login.refreshToken, login.deviceTrustToken ?? 'missing');
      const refreshed = await app.gql(RefreshDoc, {
        input: { refreshToken: login.refreshToken, deviceId: 'phone' },
      });
      secrets.push(
        refreshed.data?.refresh.refreshToken ?? 'missing',
        refreshed.data?.refresh.accessToken ?? 'missing',
      );
      await app.gql(MeDoc, undefined, bearer(login.accessToken));
      await app.gql(
        ChangePasswordDoc,
        { currentPassword: input.password, newPassword: secrets[1] },
        bearer(login.accessToken),
      );
      // A failure that is logged at error level, with the request's variables in flight.
      await app.orm.em.getConnection().execute('drop table device_trusts cascade');
      await app.gql(LoginDoc, { input: { identifier: input.email, password: secrets[1], deviceId: 'y' } });
    } finally {
      await app.close();
    }
    secrets.push(
      app.config.passwordPepper.toString('base64'),
      ...app.config.fieldEncryptionKeys.map((k) => k.key.toString('base64')),
    );

    const logs = logLines.join('');
    expect(logLines.length).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/\$2[aby]\$/);
    expect(logs).not.toMatch(/insert into|select .* from/i);

    const entries = logLines.map((l) => JSON.parse(l));
    const requests = entries.filter((e) => e.msg === 'request finished');
    expect(requests.length).toBeGreaterThanOrEqual(7);
    for (const r of requests) {
      expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof r.durationMs).toBe('number');
    }
    expect(requests.find((r) => r.operationName === 'Me')?.userId).toEqual(expect.any(String));
    const failure = entries.find((e) => e.msg === 'unexpected error');
    expect(failure?.requestId).toEqual(expect.any(String));
  });

  it('redact wallet signatures, nonces and WebAuthn response fields, at the top and one level down', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      scope: createRequestScope(),
      destination: { write: (line: string) => lines.push(line) },
    });
    const secrets = {
      signature: 'wallet-signature-secret-71',
      nonce: 'wallet-nonce-secret-72',
      clientDataJSON: 'client-data-secret-73',
      authenticatorData: 'authenticator-data-secret-74',
      attestationObject: 'attestation-object-secret-75',
    };
    logger.info(secrets, 'top level');
    logger.info({ input: secrets, response: { ...secrets, id: 'credential-id-kept' } }, 'nested');
    const logs = lines.join('');
    for (const secret of Object.values(secrets)) expect(logs).not.toContain(secret);
    expect(logs).toContain('credential-id-kept');
    expect(JSON.parse(lines[1]).response.clientDataJSON).toBe('[redacted]');
  });
});
