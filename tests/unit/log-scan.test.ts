import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordLogLine, recordSecretsIn, scanLogs } from '../support/log-scan';

describe('the log scan run after the suite', () => {
  let dir: string;
  const saved = process.env.TEST_LOG_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-scan-'));
    process.env.TEST_LOG_DIR = dir;
  });
  afterEach(() => {
    process.env.TEST_LOG_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('collects secret-named values from variables and responses, at any depth', () => {
    recordSecretsIn({
      input: { identifier: 'someone@example.com', password: 'a "quoted" passphrase' },
      login: { accessToken: 'eyJ.header.sig', accessTokenExpiresAt: '2026-11-28T10:00:00.000Z' },
      confirmTotpEnrollment: ['ABCD-EFGH-1234', 'WXYZ-0000-9876'],
      verifyMfa: { code: '123456' },
    });
    recordLogLine('{"msg":"nothing here"}');
    expect(scanLogs(dir)).toEqual({ lines: 1, secrets: 5, leaks: [] });
  });

  it('finds a secret in a log line, raw or JSON-escaped, but not inside a longer word or number', () => {
    recordSecretsIn({ password: 'a "quoted" passphrase', code: '123456', token: 'tok-abcdef' });
    recordLogLine(JSON.stringify({ time: 1764338123456, msg: 'timestamps hold digits' }));
    recordLogLine(JSON.stringify({ msg: 'xtok-abcdefx is another word' }));
    expect(scanLogs(dir).leaks).toEqual([]);
    recordLogLine(JSON.stringify({ msg: 'login', input: { password: 'a "quoted" passphrase' } }));
    recordLogLine('{"msg":"code 123456 sent"}');
    const { leaks } = scanLogs(dir);
    expect(leaks).toHaveLength(2);
    expect(leaks.join('\n')).not.toContain('quoted');
  });
});
