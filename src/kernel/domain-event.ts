/**
 * A security fact an aggregate (or a use case, for facts with no aggregate
 * such as a sign-in with an unknown identifier) records while it changes. The
 * unit of work writes each one as an audit entry in the same transaction.
 */
export interface DomainEvent {
  readonly type: string;
  /** The user the event is about. */
  readonly subjectId?: string;
  /** JSON-safe details: ids and categories only, never a password, token, code, secret, hash or personal data. */
  readonly data: Record<string, unknown>;
  /**
   * The change leaves everything authentication reads as it was (a refresh only moves the
   * session's token on and its expiry later). Any other committed event about a user drops that
   * user's live sessions from this instance's cache at once, before PostgreSQL's notification.
   */
  readonly authenticationUnchanged?: true;
}

/** Pending events of an aggregate; entities hydrated by the ORM skip constructors, hence the lazy array. */
export class EventLog {
  private pending?: DomainEvent[];

  record(event: DomainEvent): void {
    this.pending ??= [];
    this.pending.push(event);
  }

  pull(): DomainEvent[] {
    const events = this.pending ?? [];
    this.pending = [];
    return events;
  }
}
