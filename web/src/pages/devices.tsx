import { useApolloClient, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { MySessionsDoc, RevokeAllSessionsDoc, RevokeSessionDoc } from '../api/operations';
import { Notice, useAction } from '../components/forms';
import { formatTime } from '../format';

/** The signed-in devices: browser, OS, address and last use; sign one out, or all but this one. */
export function DevicesPage() {
  const client = useApolloClient();
  const sessions = useQuery(MySessionsDoc, { fetchPolicy: 'network-only' });
  const [notice, setNotice] = useState<string>();
  const revoke = useAction(async (id: string, name: string) => {
    setNotice(undefined);
    await client.mutate({ mutation: RevokeSessionDoc, variables: { id } });
    await sessions.refetch();
    setNotice(`${name} was signed out.`);
  });
  const revokeOthers = useAction(async () => {
    setNotice(undefined);
    const { data } = await client.mutate({ mutation: RevokeAllSessionsDoc });
    await sessions.refetch();
    const n = data?.revokeAllSessions ?? 0;
    setNotice(`${n} other device${n === 1 ? ' was' : 's were'} signed out.`);
  });
  const list = sessions.data?.mySessions ?? [];
  const error = revoke.error ?? revokeOthers.error;
  return (
    <>
      <h1 tabIndex={-1}>Devices</h1>
      <p>Where your account is signed in, most recently used first.</p>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {notice && <Notice>{notice}</Notice>}
      {sessions.loading && list.length === 0 && <p role="status">Loading…</p>}
      {sessions.error && list.length === 0 && (
        <p className="form-error" role="alert">
          The devices could not be loaded.
        </p>
      )}
      <ul className="cards" aria-label="Signed-in devices">
        {list.map((s) => {
          const name = s.userAgent ?? s.deviceName ?? 'Unknown browser';
          return (
            <li key={s.id} className="card">
              <h2 className="card-title">
                {name} {s.current && <span className="badge ok">this device</span>}
              </h2>
              <dl className="facts">
                {s.deviceName && s.userAgent && (
                  <>
                    <dt>Name</dt>
                    <dd>{s.deviceName}</dd>
                  </>
                )}
                <dt>Address</dt>
                <dd>{s.ipAddress ?? 'unknown'}</dd>
                <dt>Last used</dt>
                <dd>{formatTime(s.lastUsedAt)}</dd>
                <dt>Signed in</dt>
                <dd>{formatTime(s.createdAt)}</dd>
              </dl>
              {!s.current && (
                <button
                  type="button"
                  onClick={() => revoke.run(s.id, name)}
                  disabled={revoke.pending}
                  aria-label={`Sign out ${name} (last used ${formatTime(s.lastUsedAt)})`}
                >
                  Sign out
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {list.some((s) => !s.current) && (
        <button
          type="button"
          className="danger"
          onClick={() => revokeOthers.run()}
          disabled={revokeOthers.pending}
        >
          Sign out everywhere else
        </button>
      )}
    </>
  );
}
