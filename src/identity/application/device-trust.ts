import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTokenError, type SignedTokens } from '../../adapters/tokens/signed-tokens.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../kernel/clock.js';
import { DeviceTrust } from '../domain/device-trust.entity.js';

export const DEVICE_TRUST_TYP = 'device-trust+jwt';

/**
 * Device-trust tokens: signed, bound to (user, device), single current token
 * per device (rotated at every sign-in). The audience is this service itself,
 * so no other service accepts one, and the `typ` differs from access tokens. The device's own
 * failure budget is counted by device-trust-counter.ts.
 */
export function createDeviceTrust(deps: {
  tokens: SignedTokens;
  clock: Clock;
  issuer: string;
  settings: Pick<Config['deviceTrust'], 'ttlSeconds'>;
}) {
  const audience = `${deps.issuer}#device-trust`;

  return {
    /** The trust record a presented token proves for this user and device, or undefined. */
    async find(em: EntityManager, token: string | null | undefined, userId: string, deviceId: string) {
      if (!token) return undefined;
      try {
        const claims = await deps.tokens.verify(token, {
          typ: DEVICE_TRUST_TYP,
          audience,
          requiredClaims: ['did'],
        });
        if (claims.sub !== userId || claims.did !== deviceId) return undefined;
        const trust = await em.findOne(DeviceTrust, { user: userId, deviceId, tokenId: claims.jti });
        return trust && trust.expiresAt > deps.clock.now() ? trust : undefined;
      } catch (err) {
        if (err instanceof InvalidTokenError) return undefined;
        throw err;
      }
    },

    /**
     * A new trust token for the device after a successful sign-in. The sign-in's statement
     * (sign-in-completion.ts) makes its `jti` the device's only valid one, in the same transaction.
     */
    async mint(userId: string, deviceId: string): Promise<{ token: string; jti: string; expiresAt: Date }> {
      return deps.tokens.sign({
        typ: DEVICE_TRUST_TYP,
        audience,
        subject: userId,
        ttlSeconds: deps.settings.ttlSeconds,
        claims: { did: deviceId },
      });
    },
  };
}

export type DeviceTrustService = ReturnType<typeof createDeviceTrust>;
