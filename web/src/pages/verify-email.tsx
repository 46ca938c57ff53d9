import { useApolloClient } from '@apollo/client/react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { toUiError } from '../api/errors';
import { MeDoc, VerifyEmailDoc } from '../api/operations';
import { authState, onAuthChange } from '../api/session';
import { Link, navigate, useLocation } from '../router';

type Outcome = { status: 'pending' } | { status: 'verified' } | { status: 'failed'; message: string };

/** One request per link, even when React runs the effect twice (development's StrictMode). */
const attempts = new Map<string, Promise<Outcome>>();

/**
 * Where the link in a verification mail lands (`/verify-email?token=…`): verifies the address, or
 * confirms a pending new one. The token leaves the address bar at once, so it stays out of the
 * history.
 */
export function VerifyEmailPage() {
  const client = useApolloClient();
  const { query } = useLocation();
  const auth = useSyncExternalStore(onAuthChange, authState);
  const [token] = useState(() => query.get('token') ?? '');
  const [outcome, setOutcome] = useState<Outcome>(
    token ? { status: 'pending' } : { status: 'failed', message: 'This link has no token.' },
  );
  useEffect(() => {
    if (!token) return;
    navigate('/verify-email', { replace: true });
    let attempt = attempts.get(token);
    if (!attempt) {
      attempt = client.mutate({ mutation: VerifyEmailDoc, variables: { token } }).then(
        (): Outcome => ({ status: 'verified' }),
        (err): Outcome => ({ status: 'failed', message: toUiError(err).message }),
      );
      attempts.set(token, attempt);
    }
    let live = true;
    void attempt.then((o) => {
      if (!live) return;
      setOutcome(o);
      // A signed-in tab shows the new state of the address.
      if (o.status === 'verified' && authState().status === 'signedIn')
        void client.query({ query: MeDoc, fetchPolicy: 'network-only' }).catch(() => undefined);
    });
    return () => {
      live = false;
    };
  }, [client, token]);
  return (
    <>
      <h1 tabIndex={-1}>Verify your email</h1>
      {outcome.status === 'pending' && <p role="status">Verifying…</p>}
      {outcome.status === 'verified' && (
        <p className="notice" role="status">
          Your email address is verified.
        </p>
      )}
      {outcome.status === 'failed' && (
        <p className="form-error" role="alert">
          {outcome.message}
        </p>
      )}
      <p>
        {auth.status === 'signedIn' ? (
          <Link to="/profile">Go to your profile</Link>
        ) : (
          <Link to="/sign-in">Sign in</Link>
        )}
      </p>
    </>
  );
}
