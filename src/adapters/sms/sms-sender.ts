import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import { SmsOutboxMessage } from './sms-outbox.entity.js';

/**
 * Where SMS go: the one port to an outside system for text messages. The `sms` job's worker
 * calls it; the identity context writes SMS as jobs through its outbox and never calls it itself.
 */
export interface SmsSender {
  send(phone: string, body: string): Promise<void>;
}

/** Development: messages land in the sms_outbox table (`npm run sms:outbox`), never in logs. */
export function createOutboxSmsSender(deps: { em: EntityManager; clock: Clock }): SmsSender {
  return {
    async send(phone, body) {
      await deps.em.fork().insert(SmsOutboxMessage, new SmsOutboxMessage(phone, body, deps.clock.now()));
    },
  };
}

export interface HttpSmsOptions {
  url: string;
  token?: string;
  timeoutMs: number;
  retries: number;
}

/** The provider did not take a message; `reason` (e.g. `HTTP 503`, `timeout`) names neither the phone nor the text. */
export class SmsDeliveryError extends Error {
  constructor(readonly reason: string) {
    super(`SMS provider did not accept the message: ${reason}`);
    this.name = 'SmsDeliveryError';
  }
}

/**
 * A provider over HTTP: JSON `{ to, message }` POSTed with a bearer token, a
 * timeout per try, and retries with backoff on network errors, timeouts and 5xx
 * (a 4xx is the provider refusing the message and is not retried).
 */
export function createHttpSmsSender(opts: HttpSmsOptions, fetchImpl: typeof fetch = fetch): SmsSender {
  return {
    async send(phone, body) {
      let lastReason = 'no attempt';
      for (let attempt = 0; attempt <= opts.retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
        try {
          const res = await fetchImpl(opts.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            },
            body: JSON.stringify({ to: phone, message: body }),
            signal: AbortSignal.timeout(opts.timeoutMs),
          });
          if (res.ok) return;
          lastReason = `HTTP ${res.status}`;
          if (res.status < 500) break;
        } catch (err) {
          lastReason = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
        }
      }
      throw new SmsDeliveryError(lastReason);
    },
  };
}
