import { useApolloClient, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import {
  BeginPasskeyRegistrationDoc,
  FinishPasskeyRegistrationDoc,
  MyPasskeysDoc,
  RemovePasskeyDoc,
  RenamePasskeyDoc,
} from '../api/passkey-operations';
import { createPasskey, passkeysSupported } from '../api/webauthn';
import { Field, Form, Notice, RecentPasswordField, Submit, useAction } from '../components/forms';
import { formatTime } from '../format';
import type { ConsolePasskeyFieldsFragment } from '../gql/graphql';

/**
 * The account's passkeys: each with its name, when it was added and last used; add one on this
 * device (the browser's own dialog makes it), rename one, remove one. Adding and removing need a
 * recent sign-in or the password, as setting up an authenticator app does.
 */
export function PasskeysSection() {
  const passkeys = useQuery(MyPasskeysDoc, { fetchPolicy: 'network-only' });
  const [notice, setNotice] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  const list = passkeys.data?.myPasskeys ?? [];
  const changed = async (message: string, opts: { gone?: boolean } = {}) => {
    await passkeys.refetch();
    setNotice(message);
    // The removed card held the focus: it goes to the section's heading, before the notice.
    if (opts.gone) heading.current?.focus();
  };
  return (
    <section aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading" tabIndex={-1} ref={heading}>
        Passkeys
      </h2>
      <p>
        A passkey signs you in with this device's screen lock or security key, without your password, and
        answers the second step of a password sign-in.
      </p>
      {notice && <Notice>{notice}</Notice>}
      {passkeys.loading && list.length === 0 && <p role="status">Loading…</p>}
      {passkeys.error && list.length === 0 && (
        <p className="form-error" role="alert">
          Your passkeys could not be loaded.
        </p>
      )}
      {!passkeys.loading && !passkeys.error && list.length === 0 && <p>You have no passkeys yet.</p>}
      {list.length > 0 && (
        <ul className="cards" aria-label="Your passkeys">
          {list.map((p) => (
            <PasskeyCard key={p.id} passkey={p} onChanged={changed} />
          ))}
        </ul>
      )}
      <AddPasskey
        onAdded={(name) => changed(`Passkey “${name}” added. You can now sign in with it.`)}
        onStart={() => setNotice(undefined)}
      />
    </section>
  );
}

function AddPasskey({ onAdded, onStart }: { onAdded: (name: string) => Promise<void>; onStart: () => void }) {
  const client = useApolloClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const add = useAction(async () => {
    onStart();
    const begin = await client.mutate({
      mutation: BeginPasskeyRegistrationDoc,
      variables: { password: password || undefined },
    });
    setPassword('');
    const options = begin.data?.beginPasskeyRegistration;
    if (!options) return;
    const response = await createPasskey(options);
    const { data } = await client.mutate({
      mutation: FinishPasskeyRegistrationDoc,
      variables: { response, name: name.trim() || undefined },
    });
    if (!data) return;
    setName('');
    await onAdded(data.finishPasskeyRegistration.name);
  });
  if (!passkeysSupported()) return <p>This browser cannot add a passkey.</p>;
  return (
    <Form onSubmit={() => add.run()} error={add.error} fields={['name', 'password']} label="Add a passkey">
      <Field
        label="Name for the passkey (optional)"
        name="name"
        value={name}
        onChange={setName}
        maxLength={64}
        autoComplete="off"
        hint="To tell your passkeys apart, e.g. “Work laptop”."
        error={add.error}
      />
      <RecentPasswordField value={password} onChange={setPassword} error={add.error} />
      <Submit pending={add.pending}>Add a passkey</Submit>
    </Form>
  );
}

type Mode = 'view' | 'rename' | 'remove';

function PasskeyCard({
  passkey,
  onChanged,
}: {
  passkey: ConsolePasskeyFieldsFragment;
  onChanged: (message: string, opts?: { gone?: boolean }) => Promise<void>;
}) {
  const client = useApolloClient();
  const [mode, setMode] = useState<Mode>('view');
  const card = useRef<HTMLLIElement>(null);
  const moved = useRef(false);
  // Keyboard focus follows the change: into the form that replaced the buttons, back to the
  // Rename button when it closes (the button that had focus is gone from the page).
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    card.current?.querySelector<HTMLElement>(mode === 'view' ? 'button' : 'input')?.focus();
  }, [mode]);
  const [name, setName] = useState(passkey.name);
  const [password, setPassword] = useState('');
  const rename = useAction(async () => {
    const { data } = await client.mutate({
      mutation: RenamePasskeyDoc,
      variables: { id: passkey.id, name: name.trim() },
    });
    if (!data) return;
    moved.current = true;
    setMode('view');
    await onChanged(`Passkey renamed to “${data.renamePasskey.name}”.`);
  });
  const remove = useAction(async () => {
    await client.mutate({
      mutation: RemovePasskeyDoc,
      variables: { id: passkey.id, password: password || undefined },
    });
    setPassword('');
    await onChanged(`Passkey “${passkey.name}” removed. It no longer signs you in.`, { gone: true });
  });
  const show = (next: Mode) => {
    moved.current = true;
    setMode(next);
    setName(passkey.name);
    setPassword('');
    rename.setError(null);
    remove.setError(null);
  };
  return (
    <li className="card" aria-label={passkey.name} ref={card}>
      <h3 className="card-title">{passkey.name}</h3>
      <dl className="facts">
        <dt>Added</dt>
        <dd>{formatTime(passkey.createdAt)}</dd>
        <dt>Last used</dt>
        <dd>{passkey.lastUsedAt ? formatTime(passkey.lastUsedAt) : 'never'}</dd>
      </dl>
      {mode === 'view' && (
        <div className="actions">
          <button type="button" onClick={() => show('rename')} aria-label={`Rename passkey ${passkey.name}`}>
            Rename
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => show('remove')}
            aria-label={`Remove passkey ${passkey.name}`}
          >
            Remove
          </button>
        </div>
      )}
      {mode === 'rename' && (
        <Form
          onSubmit={() => rename.run()}
          error={rename.error}
          fields={['name']}
          label={`Rename passkey ${passkey.name}`}
        >
          <Field
            label="New name"
            name="name"
            value={name}
            onChange={setName}
            maxLength={64}
            autoComplete="off"
            required
            error={rename.error}
          />
          <div className="actions">
            <Submit pending={rename.pending}>Save name</Submit>
            <button type="button" onClick={() => show('view')}>
              Cancel
            </button>
          </div>
        </Form>
      )}
      {mode === 'remove' && (
        <Form
          onSubmit={() => remove.run()}
          error={remove.error}
          fields={['password']}
          label={`Remove passkey ${passkey.name}`}
        >
          <p>Once removed, this passkey no longer signs you in.</p>
          <RecentPasswordField value={password} onChange={setPassword} error={remove.error} />
          <div className="actions">
            <button type="submit" className="danger" disabled={remove.pending}>
              Remove passkey
            </button>
            <button type="button" onClick={() => show('view')}>
              Cancel
            </button>
          </div>
        </Form>
      )}
    </li>
  );
}
