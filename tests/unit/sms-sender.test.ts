import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpSmsSender, SmsDeliveryError } from '../../src/adapters/sms/sms-sender';

/** A fake SMS provider: answers each request with the next scripted status (or hangs). */
function fakeProvider(script: (number | 'hang')[]) {
  const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      const next = script.shift() ?? 200;
      if (next === 'hang') return;
      res.statusCode = next;
      res.end('{}');
    });
  });
  return new Promise<{ url: string; received: typeof received; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`,
        received,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

describe('HTTP SMS provider adapter', () => {
  it('POSTs JSON with the bearer token', async () => {
    const provider = await fakeProvider([202]);
    try {
      await createHttpSmsSender({
        url: provider.url,
        token: 'provider-token',
        timeoutMs: 1000,
        retries: 0,
      }).send('+264812345678', 'hello');
      expect(provider.received).toHaveLength(1);
      expect(provider.received[0].body).toEqual({ to: '+264812345678', message: 'hello' });
      expect(provider.received[0].headers.authorization).toBe('Bearer provider-token');
      expect(provider.received[0].headers['content-type']).toBe('application/json');
    } finally {
      provider.close();
    }
  });

  it('retries server errors and timeouts, then succeeds', async () => {
    const provider = await fakeProvider([503, 'hang', 200]);
    try {
      await createHttpSmsSender({ url: provider.url, timeoutMs: 300, retries: 2 }).send('+264812345678', 'x');
      expect(provider.received).toHaveLength(3);
    } finally {
      provider.close();
    }
  });

  it('does not retry a refusal (4xx) and reports the failure', async () => {
    const provider = await fakeProvider([400, 200]);
    try {
      const send = createHttpSmsSender({ url: provider.url, timeoutMs: 300, retries: 3 }).send(
        '+264812345678',
        'x',
      );
      await expect(send).rejects.toThrow(SmsDeliveryError);
      expect(provider.received).toHaveLength(1);
    } finally {
      provider.close();
    }
  });

  it('gives up after the retries', async () => {
    const provider = await fakeProvider([500, 500, 500]);
    try {
      const send = createHttpSmsSender({ url: provider.url, timeoutMs: 300, retries: 2 }).send(
        '+264812345678',
        'x',
      );
      await expect(send).rejects.toThrow(/HTTP 500/);
      expect(provider.received).toHaveLength(3);
    } finally {
      provider.close();
    }
  });
});
