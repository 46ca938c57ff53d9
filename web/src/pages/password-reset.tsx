import { useApolloClient } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { RequestPasswordResetDoc, ResetPasswordDoc } from '../api/operations';
import { Field, Form, Notice, Submit, useAction } from '../components/forms';
import { Link, navigate, useLocation } from '../router';

/** Asks for a reset link; the answer is the same whether or not an account has the address. */
export function ForgotPasswordPage() {
  const client = useApolloClient();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const request = useAction(async () => {
    await client.mutate({ mutation: RequestPasswordResetDoc, variables: { email } });
    setSent(true);
  });
  return (
    <>
      <h1 tabIndex={-1}>Reset your password</h1>
      {sent ? (
        <Notice>
          If an account has that address, a link to reset its password is on its way (valid 30 minutes).
        </Notice>
      ) : (
        <Form onSubmit={() => request.run()} error={request.error} fields={['email']}>
          <Field
            label="Email"
            name="email"
            type="email"
            value={email}
            onChange={setEmail}
            autoComplete="email"
            required
            error={request.error}
          />
          <Submit pending={request.pending}>Send reset link</Submit>
        </Form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </>
  );
}

/** Where the link in a reset mail lands (`/reset-password?token=…`): sets a new password. */
export function ResetPasswordPage() {
  const client = useApolloClient();
  const { query } = useLocation();
  const [token] = useState(() => query.get('token') ?? '');
  const [newPassword, setNewPassword] = useState('');
  const [done, setDone] = useState(false);
  // Keep the token out of the history once read.
  useEffect(() => {
    if (token) navigate('/reset-password', { replace: true });
  }, [token]);
  const reset = useAction(async () => {
    await client.mutate({ mutation: ResetPasswordDoc, variables: { token, newPassword } });
    setDone(true);
  });
  return (
    <>
      <h1 tabIndex={-1}>Choose a new password</h1>
      {done ? (
        <Notice>
          Your password is changed and every device was signed out. Sign in with the new password.
        </Notice>
      ) : !token ? (
        <p className="form-error" role="alert">
          This link has no token. <Link to="/forgot-password">Ask for a new link</Link>.
        </p>
      ) : (
        <Form onSubmit={() => reset.run()} error={reset.error} fields={['newPassword']}>
          <Field
            label="New password"
            name="newPassword"
            type="password"
            value={newPassword}
            onChange={setNewPassword}
            autoComplete="new-password"
            required
            error={reset.error}
          />
          <Submit pending={reset.pending}>Set password</Submit>
        </Form>
      )}
      {reset.error?.field === 'token' && (
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      )}
      <p>
        <Link to="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
