import type { Role } from './enums.js';

/** Who is making an authenticated request: established from a verified access token and a live session. */
export interface Principal {
  userId: string;
  sessionId: string;
  deviceId: string;
  role: Role;
}

/** Facts about the request, for rate limits and the audit trail. */
export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent?: string;
}
