import { useApolloClient } from '@apollo/client/react';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import {
  BeginTotpDoc,
  ChangePasswordDoc,
  ConfirmTotpDoc,
  DisableMfaDoc,
  EnableSmsMfaDoc,
  RequestPhoneVerificationDoc,
} from '../api/operations';
import { Field, Form, Notice, RecentPasswordField, Submit, useAction } from '../components/forms';
import type { ConsoleUserFieldsFragment } from '../gql/graphql';
import { Link } from '../router';
import { PasskeysSection } from './security-passkeys';

/** Password, passkeys, second factors (authenticator app, SMS) and turning them off. */
export function SecurityPage({ me }: { me: ConsoleUserFieldsFragment }) {
  return (
    <>
      <h1 tabIndex={-1}>Security</h1>
      <p>
        Two-step sign-in is <strong>{me.mfaEnabled ? 'on' : 'off'}</strong>
        {me.mfaEnabled &&
          ` (${me.mfaMethods.map((m) => (m === 'TOTP' ? 'authenticator app' : 'SMS')).join(', ')})`}
        .
      </p>
      <ChangePassword />
      <PasskeysSection />
      {!me.mfaMethods.includes('TOTP') && <TotpEnrolment />}
      {!me.mfaMethods.includes('SMS') && <SmsEnrolment me={me} />}
      {me.mfaEnabled && <DisableMfa />}
    </>
  );
}

function ChangePassword() {
  const client = useApolloClient();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [done, setDone] = useState(false);
  const change = useAction(async () => {
    setDone(false);
    await client.mutate({ mutation: ChangePasswordDoc, variables: { currentPassword, newPassword } });
    setCurrent('');
    setNew('');
    setDone(true);
  });
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <Form
        onSubmit={() => change.run()}
        error={change.error}
        fields={['currentPassword', 'newPassword']}
        label="Change password"
      >
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          value={currentPassword}
          onChange={setCurrent}
          autoComplete="current-password"
          required
          error={change.error}
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          value={newPassword}
          onChange={setNew}
          autoComplete="new-password"
          required
          error={change.error}
        />
        <Submit pending={change.pending}>Change password</Submit>
      </Form>
      {done && <Notice>Password changed. Your other devices were signed out.</Notice>}
    </section>
  );
}

/** The otpauth URI as a QR code image (a data: URL, which the page's policy allows for images). */
function QrCode({ uri }: { uri: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(uri, { margin: 1, width: 200 }).then(
      (url) => live && setSrc(url),
      () => live && setSrc(undefined),
    );
    return () => {
      live = false;
    };
  }, [uri]);
  return src ? (
    <img className="qr" src={src} width={200} height={200} alt="QR code for your authenticator app" />
  ) : null;
}

function TotpEnrolment() {
  const client = useApolloClient();
  const [password, setPassword] = useState('');
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const begin = useAction(async () => {
    const { data } = await client.mutate({
      mutation: BeginTotpDoc,
      variables: { password: password || undefined },
    });
    if (data) setEnrolment(data.beginTotpEnrollment);
    setPassword('');
  });
  const confirm = useAction(async () => {
    const { data } = await client.mutate({ mutation: ConfirmTotpDoc, variables: { code: code.trim() } });
    if (data) setRecoveryCodes(data.confirmTotpEnrollment);
  });
  const finish = () => {
    // Only now does the page show TOTP as on (and drop this section): the codes were seen.
    void client.refetchQueries({ include: ['ConsoleMe'] });
  };

  if (recoveryCodes)
    return (
      <section aria-labelledby="totp-heading">
        <h2 id="totp-heading">Authenticator app is on</h2>
        <p>
          Keep these recovery codes somewhere safe. Each signs you in once if you lose your phone.{' '}
          <strong>They are shown only this once.</strong>
        </p>
        <ul className="codes" aria-label="Recovery codes">
          {recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" className="primary" onClick={finish}>
          I have saved my recovery codes
        </button>
      </section>
    );
  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator app</h2>
      {!enrolment ? (
        <Form
          onSubmit={() => begin.run()}
          error={begin.error}
          fields={['password']}
          label="Set up an authenticator app"
        >
          <RecentPasswordField value={password} onChange={setPassword} error={begin.error} />
          <Submit pending={begin.pending}>Set up an authenticator app</Submit>
        </Form>
      ) : (
        <>
          <p>Scan this code with your authenticator app, or enter the key by hand.</p>
          <QrCode uri={enrolment.otpauthUri} />
          <p>
            Key:{' '}
            <code className="secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          <Form
            onSubmit={() => confirm.run()}
            error={confirm.error}
            fields={['code']}
            label="Confirm authenticator app"
          >
            <Field
              label="Code from the app"
              name="code"
              value={code}
              onChange={setCode}
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              error={confirm.error}
            />
            <Submit pending={confirm.pending}>Turn on</Submit>
          </Form>
        </>
      )}
    </section>
  );
}

function SmsEnrolment({ me }: { me: ConsoleUserFieldsFragment }) {
  const client = useApolloClient();
  const [password, setPassword] = useState('');
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState('');
  const request = useAction(async () => {
    await client.mutate({
      mutation: RequestPhoneVerificationDoc,
      variables: { password: password || undefined },
    });
    setPassword('');
    setSent(true);
  });
  const enable = useAction(async () => {
    await client.mutate({
      mutation: EnableSmsMfaDoc,
      variables: { code: code.trim() },
      refetchQueries: ['ConsoleMe'],
    });
  });
  return (
    <section aria-labelledby="sms-heading">
      <h2 id="sms-heading">SMS codes</h2>
      {!me.phone ? (
        <p>
          Add a phone number to <Link to="/profile">your profile</Link> first.
        </p>
      ) : !sent ? (
        <Form
          onSubmit={() => request.run()}
          error={request.error}
          fields={['password']}
          label="Set up SMS codes"
        >
          <p>We send a code to {me.phone} to check it is yours.</p>
          <RecentPasswordField value={password} onChange={setPassword} error={request.error} />
          <Submit pending={request.pending}>Send a code</Submit>
        </Form>
      ) : (
        <Form onSubmit={() => enable.run()} error={enable.error} fields={['code']} label="Confirm SMS codes">
          <Field
            label="Code from the SMS"
            name="code"
            value={code}
            onChange={setCode}
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            error={enable.error}
          />
          <Submit pending={enable.pending}>Turn on SMS codes</Submit>
        </Form>
      )}
    </section>
  );
}

function DisableMfa() {
  const client = useApolloClient();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const disable = useAction(async () => {
    await client.mutate({
      mutation: DisableMfaDoc,
      variables: { password, code: code.trim() },
      refetchQueries: ['ConsoleMe'],
    });
  });
  return (
    <section aria-labelledby="disable-heading">
      <h2 id="disable-heading">Turn off two-step sign-in</h2>
      <Form
        onSubmit={() => disable.run()}
        error={disable.error}
        fields={['password', 'code']}
        label="Turn off two-step sign-in"
      >
        <Field
          label="Your password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={disable.error}
        />
        <Field
          label="A current code or a recovery code"
          name="code"
          value={code}
          onChange={setCode}
          autoComplete="one-time-code"
          required
          error={disable.error}
        />
        <button type="submit" className="danger" disabled={disable.pending}>
          Turn off
        </button>
      </Form>
    </section>
  );
}
