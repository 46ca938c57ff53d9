import { Field, ID, ObjectType } from 'type-graphql';
import type { Session } from '../domain/session.entity.js';

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

  @Field(() => Date, { nullable: true, description: 'When the session was last refreshed.' })
  lastUsedAt!: Date | null;

  @Field({ description: 'When the session ends unless it is refreshed before then.' })
  expiresAt!: Date;

  @Field({ description: 'True for the session of the access token making this request.' })
  current!: boolean;

  static from(session: Session, currentSessionId?: string): SessionType {
    return Object.assign(new SessionType(), {
      id: session.id,
      deviceId: session.deviceId,
      deviceName: session.deviceName ?? null,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt ?? null,
      expiresAt: session.expiresAt,
      current: session.id === currentSessionId,
    });
  }
}
