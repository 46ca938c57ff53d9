import { useApolloClient } from '@apollo/client/react';
import { ConsoleError, toUiError } from '../api/errors';
import { BeginPasskeyLoginDoc, FinishPasskeyLoginDoc } from '../api/passkey-operations';
import { deviceId, signedIn } from '../api/session';
import { getPasskey, passkeysSupported } from '../api/webauthn';
import { useAction } from '../components/forms';
import { navigate } from '../router';

/**
 * Signing in with a passkey: options from the service, the browser's own dialog, the assertion
 * back to the service with this browser's device id. Without a challenge token it signs in with
 * no username (the browser offers the passkeys it has for this site); with the token of the
 * password step's MFA challenge it answers that challenge. The session's tokens arrive as the
 * cookie transport's HttpOnly cookies, as for a password sign-in, and this browser's device-trust
 * cookie goes along.
 */
function usePasskeySignIn(challengeToken?: string) {
  const client = useApolloClient();
  return useAction(async () => {
    const begin = await client.mutate({
      mutation: BeginPasskeyLoginDoc,
      variables: { challengeToken },
    });
    const options = begin.data?.beginPasskeyLogin;
    if (!options) return;
    const response = await getPasskey(options);
    const { data } = await client
      .mutate({ mutation: FinishPasskeyLoginDoc, variables: { response, deviceId, challengeToken } })
      .catch((err: unknown) => {
        // The service says no more than INVALID_CREDENTIALS, whatever the reason.
        if (toUiError(err).code === 'INVALID_CREDENTIALS')
          throw new ConsoleError(
            'That passkey did not sign you in. It may have been removed from your account.',
            'INVALID_CREDENTIALS',
          );
        throw err;
      });
    const result = data?.finishPasskeyLogin;
    if (result?.__typename === 'AuthPayload') {
      signedIn(result);
      navigate('/profile');
    }
  });
}

function Failure({ message }: { message?: string }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

/** The sign-in page's other way in: a passkey, no username or password typed. */
export function PasskeySignInButton() {
  const signIn = usePasskeySignIn();
  if (!passkeysSupported()) return null;
  return (
    <div className="inline-action">
      <button
        type="button"
        onClick={() => signIn.run()}
        disabled={signIn.pending}
        aria-busy={signIn.pending || undefined}
      >
        Sign in with a passkey
      </button>
      <Failure message={signIn.error?.message} />
    </div>
  );
}

/** The second step answered with one of the account's passkeys. */
export function PasskeyAnswer({ challengeToken }: { challengeToken: string }) {
  const answer = usePasskeySignIn(challengeToken);
  if (!passkeysSupported())
    return <p className="form-error">This browser cannot use passkeys: choose another answer.</p>;
  return (
    <div className="inline-action">
      <p>Your browser asks for the passkey: this device's screen lock or your security key.</p>
      <Failure message={answer.error?.message} />
      <button
        type="button"
        className="primary"
        onClick={() => answer.run()}
        disabled={answer.pending}
        aria-busy={answer.pending || undefined}
      >
        Use a passkey
      </button>
    </div>
  );
}
