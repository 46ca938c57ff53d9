import { Field, ID, ObjectType } from 'type-graphql';
import type { SessionView } from '../application/session-tokens.js';

@ObjectType('Session', { description: 'One signed-in device of the user: one per (user, device).' })
export class SessionType {
  @Field(() => ID, {
    description: 'Stable identifier of the session (the `sid` claim of its access tokens).',
  })
  id!: string;

  @Field({ description: 'The device id the client gave at sign-in.' })
  deviceId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'A human-readable device name, if the client gave one.',
  })
  deviceName!: string | null;

  @Field({ description: 'When the device signed in.' })
  createdAt!: Date;

  @Field({ description: 'When the device signed in or last refreshed the session.' })
  lastUsedAt!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'A short summary of the User-Agent the device signed in with, such as "Chrome 131 on macOS"; parts it did not reveal are left out. Null when it sent none, or one that names neither browser nor OS.',
  })
  userAgent!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The client address the service saw when the device signed in (behind a trusted proxy, from X-Forwarded-For).',
  })
  ipAddress!: string | null;

  @Field({ description: 'When the session ends unless it is refreshed before then.' })
  expiresAt!: Date;

  @Field({ description: 'True for the session of the access token making this request.' })
  current!: boolean;

  static from(session: SessionView, currentSessionId?: string): SessionType {
    return Object.assign(new SessionType(), {
      id: session.id,
      deviceId: session.deviceId,
      deviceName: session.deviceName ?? null,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      userAgent: session.userAgent ?? null,
      ipAddress: session.ipAddress ?? null,
      expiresAt: session.expiresAt,
      current: session.id === currentSessionId,
    });
  }
}
