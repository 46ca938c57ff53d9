import {
  formatUserAgentSummary,
  summarizeUserAgent,
  USER_AGENT_SUMMARY_MAX,
} from '../../src/identity/domain/user-agent';

describe('the User-Agent summary', () => {
  it.each([
    {
      summary: 'Chrome 131 on macOS',
      header:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
    {
      summary: 'Safari 18 on macOS',
      header:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    },
    {
      summary: 'Safari 17 on iOS',
      header:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    },
    {
      summary: 'Chrome 131 on iOS',
      header:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
    },
    {
      summary: 'Firefox 133 on Windows',
      header: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    },
    {
      summary: 'Edge 131 on Windows',
      header:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
    },
    {
      summary: 'Chrome 131 on Android',
      header:
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
    },
    {
      summary: 'Samsung Internet 26 on Android',
      header:
        'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    },
    {
      summary: 'Chrome 131 on Linux',
      header:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
    {
      summary: 'Chrome 131 on ChromeOS',
      header:
        'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
  ])('gives "$summary"', ({ header, summary }) => {
    expect(summarizeUserAgent(header)).toBe(summary);
  });

  it('leaves out the parts the header does not reveal', () => {
    // An app's own agent naming only its platform.
    expect(summarizeUserAgent('MyApp/2.3 (iPhone; iOS 17.6; Scale/3.00)')).toBe('iOS');
    expect(formatUserAgentSummary({ browser: 'Firefox', major: '133' })).toBe('Firefox 133');
    expect(formatUserAgentSummary({ browser: 'Firefox', os: 'Linux' })).toBe('Firefox on Linux');
    // A version that is not a plain number is no major version.
    expect(formatUserAgentSummary({ browser: 'Firefox', major: '13x', os: 'Linux' })).toBe(
      'Firefox on Linux',
    );
  });

  it('is null for an absent header and for one that names neither browser nor OS', () => {
    expect(summarizeUserAgent(undefined)).toBeNull();
    expect(summarizeUserAgent(null)).toBeNull();
    expect(summarizeUserAgent('')).toBeNull();
    expect(summarizeUserAgent('curl/8.4.0')).toBeNull();
    expect(summarizeUserAgent('x'.repeat(10_000))).toBeNull();
    expect(formatUserAgentSummary({ major: '131' })).toBeNull();
  });

  it('caps the summary at 64 characters and keeps no control characters', () => {
    const long = formatUserAgentSummary({ browser: 'B'.repeat(50), major: '131', os: 'O'.repeat(50) });
    expect(USER_AGENT_SUMMARY_MAX).toBe(64);
    expect(long).toHaveLength(64);
    expect(long?.startsWith(`${'B'.repeat(50)} 131 on `)).toBe(true);
    expect(formatUserAgentSummary({ browser: 'Fire\u0000fox\n', os: '\tLinux\u200b' })).toBe(
      'Fire fox on Linux',
    );
  });
});
