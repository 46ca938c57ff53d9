import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { toUiError } from '../api/errors';
import { AuditLogDoc, VerifyAuditLogDoc } from '../api/operations';
import { Field, Form } from '../components/forms';
import { Pager } from '../components/pager';
import { formatTime } from '../format';
import type { AuditFilter } from '../gql/graphql';

const PAGE_SIZE = 25;

/** A datetime-local value (the reader's time zone) as an ISO instant, or nothing. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Administrators: the audit log, filtered, with the result of recomputing its hash chain. */
export function AuditLogPage() {
  const [type, setType] = useState('');
  const [userId, setUserId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [filter, setFilter] = useState<AuditFilter>({});
  const [page, setPage] = useState(1);
  const log = useQuery(AuditLogDoc, {
    variables: { page, pageSize: PAGE_SIZE, filter },
    fetchPolicy: 'network-only',
  });
  const apply = () => {
    setFilter({
      ...(type.trim() ? { type: type.trim() } : {}),
      ...(userId.trim() ? { userId: userId.trim() } : {}),
      ...(from ? { from: toInstant(from) } : {}),
      ...(to ? { to: toInstant(to) } : {}),
    });
    setPage(1);
  };
  const result = log.data?.auditLog;
  const error = log.error ? toUiError(log.error) : null;
  return (
    <>
      <h1 tabIndex={-1}>Audit log</h1>
      <ChainVerification />
      <Form
        onSubmit={apply}
        error={error}
        fields={['type', 'userId', 'from', 'to']}
        label="Filter the audit log"
      >
        <div className="filters">
          <Field
            label="Event type"
            name="type"
            value={type}
            onChange={setType}
            hint='For example "user.locked".'
            error={error}
          />
          <Field
            label="User id"
            name="userId"
            value={userId}
            onChange={setUserId}
            spellCheck={false}
            error={error}
          />
          <Field
            label="From"
            name="from"
            type="datetime-local"
            value={from}
            onChange={setFrom}
            error={error}
          />
          <Field label="Until" name="to" type="datetime-local" value={to} onChange={setTo} error={error} />
        </div>
        <button type="submit">Filter</button>
      </Form>
      {result && (
        <p role="status">
          {result.totalItems} entr{result.totalItems === 1 ? 'y' : 'ies'}
          {result.totalPages > 1 && `, page ${result.page} of ${result.totalPages}`}
        </p>
      )}
      <ol className="cards" aria-label="Audit entries">
        {result?.items.map((e) => (
          <li key={e.id} className="card">
            <h2 className="card-title">
              <span className="seq">#{e.sequence}</span> {e.type}
            </h2>
            <dl className="facts">
              <dt>When</dt>
              <dd>{formatTime(e.occurredAt)}</dd>
              <dt>By</dt>
              <dd>{e.actor?.username ?? '—'}</dd>
              <dt>About</dt>
              <dd>{e.subject?.username ?? '—'}</dd>
            </dl>
            {e.data !== '{}' && <pre className="data">{e.data}</pre>}
          </li>
        ))}
      </ol>
      {result && <Pager page={result.page} totalPages={result.totalPages} onPage={setPage} />}
    </>
  );
}

function ChainVerification() {
  const check = useQuery(VerifyAuditLogDoc, { fetchPolicy: 'network-only' });
  const v = check.data?.verifyAuditLog;
  return (
    <section aria-labelledby="chain-heading" className="chain">
      <h2 id="chain-heading">Chain verification</h2>
      {check.loading && !v && <p role="status">Verifying the chain…</p>}
      {check.error && (
        <p className="form-error" role="alert">
          The chain could not be verified: {toUiError(check.error).message}
        </p>
      )}
      {v &&
        (v.valid ? (
          <p className="notice" role="status">
            Intact: {v.entriesChecked} entries verified
            {v.entriesPending > 0 && `, ${v.entriesPending} waiting to be linked`}.
          </p>
        ) : (
          <p className="form-error" role="alert">
            Broken at sequence {v.firstBrokenSequence ?? '?'} ({v.entriesChecked} entries checked).
          </p>
        ))}
      <button type="button" onClick={() => void check.refetch()} disabled={check.loading}>
        Verify again
      </button>
    </section>
  );
}
