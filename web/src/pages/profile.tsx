import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import { DeleteAccountDoc, RequestEmailVerificationDoc, UpdateProfileDoc } from '../api/operations';
import { signedOut } from '../api/session';
import { Field, Form, Notice, SelectField, Submit, useAction } from '../components/forms';
import type { Blockchain, ConsoleUserFieldsFragment, UpdateProfileInput } from '../gql/graphql';
import { navigate, useLocation } from '../router';

/** The account: its address (and whether it is verified), username, phone and wallet; deleting it. */
export function ProfilePage({ me }: { me: ConsoleUserFieldsFragment }) {
  const { query } = useLocation();
  return (
    <>
      <h1 tabIndex={-1}>Profile</h1>
      {query.get('welcome') && (
        <Notice>Welcome! Your account is ready; we sent you a link to verify your email.</Notice>
      )}
      <EmailSection me={me} />
      <DetailsSection me={me} />
      <DeleteSection />
    </>
  );
}

function EmailSection({ me }: { me: ConsoleUserFieldsFragment }) {
  const client = useApolloClient();
  const [sent, setSent] = useState(false);
  const [email, setEmail] = useState('');
  const [changed, setChanged] = useState(false);
  const resend = useAction(async () => {
    await client.mutate({ mutation: RequestEmailVerificationDoc });
    setSent(true);
  });
  const change = useAction(async () => {
    await client.mutate({ mutation: UpdateProfileDoc, variables: { input: { email } } });
    setChanged(true);
    setEmail('');
  });
  return (
    <section aria-labelledby="email-heading">
      <h2 id="email-heading">Email</h2>
      <p>
        <span className="value">{me.email}</span>{' '}
        {me.emailVerified ? (
          <span className="badge ok">verified</span>
        ) : (
          <span className="badge warn">not verified</span>
        )}
      </p>
      {me.pendingEmail && (
        <p>
          Waiting for confirmation: <span className="value">{me.pendingEmail}</span> (follow the link we sent
          there).
        </p>
      )}
      {!me.emailVerified && (
        <div className="inline-action">
          <button type="button" onClick={() => resend.run()} disabled={resend.pending}>
            Send the verification link again
          </button>
          {resend.error && (
            <p className="form-error" role="alert">
              {resend.error.message}
            </p>
          )}
          {sent && !resend.error && <Notice>A new link is on its way.</Notice>}
        </div>
      )}
      <Form onSubmit={() => change.run()} error={change.error} fields={['email']} label="Change email">
        <Field
          label="New email address"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="email"
          required
          error={change.error}
          hint="It takes effect once you follow the link we send to it."
        />
        <Submit pending={change.pending}>Change email</Submit>
      </Form>
      {changed && <Notice>Check the new address for a confirmation link.</Notice>}
    </section>
  );
}

const CHAINS: { value: Blockchain | ''; label: string }[] = [
  { value: '', label: 'No wallet' },
  { value: 'ETHEREUM', label: 'Ethereum' },
  { value: 'SOLANA', label: 'Solana' },
];

function DetailsSection({ me }: { me: ConsoleUserFieldsFragment }) {
  const client = useApolloClient();
  const [username, setUsername] = useState(me.username);
  const [phone, setPhone] = useState(me.phone ?? '');
  const [chain, setChain] = useState<Blockchain | ''>(me.wallet?.blockchain ?? '');
  const [address, setAddress] = useState(me.wallet?.address ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    const input: UpdateProfileInput = {};
    if (username !== me.username) input.username = username;
    if (phone.trim() !== (me.phone ?? '')) input.phone = phone.trim() || null;
    const wallet = chain && address.trim() ? { blockchain: chain, address: address.trim() } : null;
    if (wallet?.address !== me.wallet?.address || wallet?.blockchain !== me.wallet?.blockchain) {
      input.walletAddress = wallet?.address ?? null;
      if (wallet) input.walletBlockchain = wallet.blockchain;
    }
    const { data } = await client.mutate({ mutation: UpdateProfileDoc, variables: { input } });
    if (data) {
      setPhone(data.updateProfile.phone ?? '');
      setAddress(data.updateProfile.wallet?.address ?? '');
      setSaved(true);
    }
  });
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <Form
        onSubmit={() => save.run()}
        error={save.error}
        fields={['username', 'phone', 'walletAddress', 'walletBlockchain']}
        label="Profile details"
      >
        <Field
          label="Username"
          name="username"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
          error={save.error}
        />
        <Field
          label="Phone"
          name="phone"
          type="tel"
          value={phone}
          onChange={setPhone}
          autoComplete="tel"
          hint="A Namibian number, +264… or 0…; leave empty to remove it."
          error={save.error}
        />
        <SelectField
          label="Wallet blockchain"
          name="walletBlockchain"
          value={chain}
          onChange={(v) => setChain(v as Blockchain | '')}
          options={CHAINS}
          error={save.error}
        />
        <Field
          label="Wallet address"
          name="walletAddress"
          value={address}
          onChange={setAddress}
          autoComplete="off"
          spellCheck={false}
          hint="Ethereum: 0x… (EIP-55 checksum); Solana: base58. Empty removes the wallet."
          error={save.error}
        />
        <Submit pending={save.pending}>Save</Submit>
      </Form>
      {saved && <Notice>Saved.</Notice>}
    </section>
  );
}

function DeleteSection() {
  const client = useApolloClient();
  const [password, setPassword] = useState('');
  const remove = useAction(async () => {
    const { data } = await client.mutate({ mutation: DeleteAccountDoc, variables: { password } });
    if (data?.deleteAccount) {
      signedOut();
      await client.clearStore();
      navigate('/sign-in');
    }
  });
  return (
    <section aria-labelledby="delete-heading" className="danger">
      <h2 id="delete-heading">Delete account</h2>
      <p>
        Your personal data is erased, every device is signed out, and the account can never sign in again.
      </p>
      <Form onSubmit={() => remove.run()} error={remove.error} fields={['password']} label="Delete account">
        <Field
          label="Your password, to confirm"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={remove.error}
        />
        <button type="submit" className="danger" disabled={remove.pending}>
          Delete my account
        </button>
      </Form>
    </section>
  );
}
