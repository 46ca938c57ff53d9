import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import { SignUpDoc } from '../api/operations';
import { deviceId, signedIn } from '../api/session';
import { Field, Form, Submit, useAction } from '../components/forms';
import { Link, navigate } from '../router';

/** Creates the account and signs it in on this browser in one request; a link to verify the address is mailed. */
export function SignUpPage() {
  const client = useApolloClient();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [phone, setPhone] = useState('');
  const signUp = useAction(async () => {
    const { data } = await client.mutate({
      mutation: SignUpDoc,
      variables: {
        input: { username, email, password, deviceId, ...(phone.trim() ? { phone: phone.trim() } : {}) },
      },
    });
    if (data?.signUp) {
      signedIn(data.signUp);
      navigate('/profile?welcome=1');
    }
  });
  return (
    <>
      <h1 tabIndex={-1}>Create an account</h1>
      <Form
        onSubmit={() => signUp.run()}
        error={signUp.error}
        fields={['username', 'email', 'password', 'phone']}
      >
        <Field
          label="Username"
          name="username"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          hint='3–32 letters, digits, "_", "." or "-".'
          required
          error={signUp.error}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="email"
          required
          error={signUp.error}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="A long passphrase; common passwords and ones containing your name are refused."
          required
          error={signUp.error}
        />
        <Field
          label="Phone (optional)"
          name="phone"
          type="tel"
          value={phone}
          onChange={setPhone}
          autoComplete="tel"
          hint="A Namibian number, +264… or 0…"
          error={signUp.error}
        />
        <Submit pending={signUp.pending}>Create account</Submit>
      </Form>
      <p>
        Have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
