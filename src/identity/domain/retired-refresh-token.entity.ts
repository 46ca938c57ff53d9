import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { Session } from './session.entity.js';

/**
 * A refresh token that has been rotated away. Kept until its session is
 * deleted, so that a replay is recognised as reuse and revokes the session.
 */
@Entity({ tableName: 'retired_refresh_tokens' })
export class RetiredRefreshToken {
  @PrimaryKey({ type: 'text' })
  tokenHash: string;

  @ManyToOne({
    entity: 'Session',
    ref: true,
    deleteRule: 'cascade',
    index: 'retired_refresh_tokens_session_id_index',
  })
  session: Ref<Session>;

  @Property({ type: 'integer' })
  generation: number;

  @Property({ type: 'timestamptz' })
  retiredAt: Date;

  constructor(props: { tokenHash: string; session: Ref<Session>; generation: number; retiredAt: Date }) {
    this.tokenHash = props.tokenHash;
    this.session = props.session;
    this.generation = props.generation;
    this.retiredAt = props.retiredAt;
  }
}
