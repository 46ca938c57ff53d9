import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import { LoginDoc, SendMfaSmsDoc, VerifyMfaDoc } from '../api/operations';
import { deviceId, signedIn } from '../api/session';
import { Field, Form, Notice, Submit, useAction } from '../components/forms';
import type { MfaMethod } from '../gql/graphql';
import { Link, navigate } from '../router';
import { PasskeyAnswer, PasskeySignInButton } from './sign-in-passkey';

interface Challenge {
  challengeToken: string;
  methods: MfaMethod[];
}

/**
 * How the person answers the challenge: one of their factors (a code, or a passkey in the
 * browser's own dialog), or a recovery code.
 */
type Answer = MfaMethod | 'RECOVERY';

/**
 * Sign in: the password, then the second factor when the account has one. The refresh and
 * device-trust tokens arrive as HttpOnly cookies; this browser's device-trust cookie goes along
 * with every later sign-in, so failures elsewhere do not lock this device out.
 */
export function SignInPage() {
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  return (
    <>
      <h1 tabIndex={-1}>Sign in</h1>
      {challenge ? (
        <MfaStep challenge={challenge} onRestart={() => setChallenge(null)} />
      ) : (
        <PasswordStep onChallenge={setChallenge} />
      )}
    </>
  );
}

function PasswordStep({ onChallenge }: { onChallenge: (c: Challenge) => void }) {
  const client = useApolloClient();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    const { data } = await client.mutate({
      mutation: LoginDoc,
      variables: { input: { identifier, password, deviceId } },
    });
    const result = data?.login;
    if (result?.__typename === 'AuthPayload') {
      signedIn(result);
      navigate('/profile');
    } else if (result?.__typename === 'MfaChallenge') {
      onChallenge({ challengeToken: result.challengeToken, methods: result.methods });
    }
  });
  return (
    <>
      <Form onSubmit={() => login.run()} error={login.error} fields={['identifier', 'password']}>
        <Field
          label="Email or username"
          name="identifier"
          value={identifier}
          onChange={setIdentifier}
          autoComplete="username"
          required
          error={login.error}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={login.error}
        />
        <Submit pending={login.pending}>Sign in</Submit>
      </Form>
      <PasskeySignInButton />
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to="/sign-up">Create an account</Link>
      </p>
    </>
  );
}

const CHOICE_LABELS: Record<Answer, string> = {
  TOTP: 'Authenticator app',
  SMS: 'SMS',
  PASSKEY: 'Passkey',
  RECOVERY: 'Recovery code',
};
const ANSWER_LABELS: Record<Exclude<Answer, 'PASSKEY'>, string> = {
  TOTP: 'Code from your authenticator app',
  SMS: 'Code sent by SMS',
  RECOVERY: 'One of your recovery codes',
};

function MfaStep({ challenge, onRestart }: { challenge: Challenge; onRestart: () => void }) {
  const client = useApolloClient();
  const answers: Answer[] = [...challenge.methods, 'RECOVERY'];
  const [answer, setAnswer] = useState<Answer>(answers[0]);
  const [code, setCode] = useState('');
  const [smsSent, setSmsSent] = useState(false);
  const verify = useAction(async () => {
    const { data } = await client.mutate({
      mutation: VerifyMfaDoc,
      variables: {
        input: {
          challengeToken: challenge.challengeToken,
          code: code.trim(),
          // A recovery code is accepted without a method.
          method: answer === 'RECOVERY' ? undefined : answer,
        },
      },
    });
    if (data?.verifyMfa) {
      signedIn(data.verifyMfa);
      navigate('/profile');
    }
  });
  const sendSms = useAction(async () => {
    await client.mutate({ mutation: SendMfaSmsDoc, variables: { challengeToken: challenge.challengeToken } });
    setSmsSent(true);
  });
  return (
    <>
      <p>Your account asks for a second factor.</p>
      <fieldset className="choices">
        <legend>Answer with</legend>
        {answers.map((a) => (
          <label key={a} className="choice">
            <input
              type="radio"
              name="answer"
              value={a}
              checked={answer === a}
              onChange={() => {
                setAnswer(a);
                setCode('');
              }}
            />
            {CHOICE_LABELS[a]}
          </label>
        ))}
      </fieldset>
      {answer === 'SMS' && (
        <div className="inline-action">
          <button type="button" onClick={() => sendSms.run()} disabled={sendSms.pending}>
            {smsSent ? 'Send another code' : 'Send me a code'}
          </button>
          {sendSms.error && (
            <p className="form-error" role="alert">
              {sendSms.error.message}
            </p>
          )}
          {smsSent && !sendSms.error && <Notice>A code is on its way to your phone.</Notice>}
        </div>
      )}
      {answer === 'PASSKEY' ? (
        <PasskeyAnswer challengeToken={challenge.challengeToken} />
      ) : (
        <Form onSubmit={() => verify.run()} error={verify.error} fields={['code']}>
          <Field
            label={ANSWER_LABELS[answer]}
            name="code"
            value={code}
            onChange={setCode}
            autoComplete="one-time-code"
            inputMode={answer === 'RECOVERY' ? 'text' : 'numeric'}
            required
            error={verify.error}
          />
          <Submit pending={verify.pending}>Verify</Submit>
        </Form>
      )}
      <p>
        <button type="button" className="link-button" onClick={onRestart}>
          Start over
        </button>
      </p>
    </>
  );
}
