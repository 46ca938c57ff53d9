import { randomUUID } from 'node:crypto';
import { hashRefreshToken, newRefreshToken } from '../../adapters/tokens/refresh-tokens.js';
import type { Clock } from '../../kernel/clock.js';
import type { Role } from '../domain/enums.js';
import type { RequestMeta } from '../domain/principal.js';
import { Session } from '../domain/session.entity.js';
import { summarizeUserAgent } from '../domain/user-agent.js';
import type { OpenedSession } from '../persistence/sign-in-completion.js';
import type { AccessTokens } from './access-tokens.js';
import type { AccountView } from './account-view.js';

/** A session as it is shown to its owner: the fields the Session type reads. */
export type SessionView = Readonly<
  Pick<
    Session,
    'id' | 'deviceId' | 'deviceName' | 'createdAt' | 'lastUsedAt' | 'userAgent' | 'ipAddress' | 'expiresAt'
  >
>;

export interface IssuedSession {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /**
   * The signed-in account, read when the answer asks for it: a refresh that found its session by
   * the token maps the account's row only then.
   */
  account(): AccountView;
  session: SessionView;
}

/** Opens sessions and mints their tokens; used by every way of signing in. */
export function createSessionTokens(deps: {
  accessTokens: AccessTokens;
  clock: Clock;
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
}) {
  return {
    /**
     * A new session for a device, not yet written: its id, its first refresh token (and the
     * token's hash, which is what is stored), its expiries, and the client address and a summary
     * of the User-Agent of the request that signs in. The sign-in's statement writes it
     * (sign-in-completion.ts), ending a live session on the same device: one session per device.
     */
    prepare(
      device: { id: string; name?: string },
      client: Pick<RequestMeta, 'ip' | 'userAgent'>,
    ): { session: OpenedSession & SessionView; refreshToken: string } {
      const now = deps.clock.now();
      const refreshToken = newRefreshToken();
      const session = {
        id: randomUUID(),
        deviceId: device.id,
        deviceName: device.name,
        refreshTokenHash: hashRefreshToken(refreshToken),
        createdAt: now,
        lastUsedAt: now,
        userAgent: summarizeUserAgent(client.userAgent) ?? undefined,
        ipAddress: shownAddress(client.ip),
        ...Session.lifetime(now, deps),
      };
      return { session, refreshToken };
    },

    /** Settles once an access token can be issued; rejects as issuing would (no usable signing key). */
    canIssue(): Promise<void> {
      return deps.accessTokens.canIssue();
    },

    /**
     * What a sign-in or refresh answers: a new access token for the account's session, with the
     * refresh token the session now holds. `account` is read only if the answer shows it.
     */
    async issue(
      who: { userId: string; role: Role; account: () => AccountView },
      session: SessionView,
      refreshToken: string,
    ): Promise<IssuedSession> {
      const access = await deps.accessTokens.issue({
        userId: who.userId,
        sessionId: session.id,
        deviceId: session.deviceId,
        role: who.role,
      });
      return {
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt,
        refreshToken,
        refreshTokenExpiresAt: session.expiresAt,
        account: who.account,
        session,
      };
    },
  };
}

export type SessionTokens = ReturnType<typeof createSessionTokens>;

/** The client address as people write it: an IPv4-mapped IPv6 address as plain IPv4; none for ''. */
function shownAddress(ip: string): string | undefined {
  if (!ip) return undefined;
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1] ?? ip;
}
