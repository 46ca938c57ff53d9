import { useApolloClient, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import {
  LockUserDoc,
  ReactivateUserDoc,
  SetUserRoleDoc,
  SuspendUserDoc,
  UnlockUserDoc,
  UsersDoc,
} from '../api/operations';
import { Field, Form, SelectField, useAction } from '../components/forms';
import { Pager } from '../components/pager';
import { formatTime } from '../format';
import type { ConsoleUserFieldsFragment, Role, UserFilter, UserStatus } from '../gql/graphql';

const PAGE_SIZE = 20;
const STATUSES: { value: UserStatus | ''; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'ACTIVE', label: 'Active' },
  { value: 'LOCKED', label: 'Locked' },
  { value: 'SUSPENDED', label: 'Suspended' },
  { value: 'DELETED', label: 'Deleted' },
];
const ROLES: { value: Role | ''; label: string }[] = [
  { value: '', label: 'Any role' },
  { value: 'USER', label: 'User' },
  { value: 'ADMIN', label: 'Admin' },
];

/** Administrators: find users, and lock, unlock, suspend, reactivate them or change their role. */
export function UsersPage({ me }: { me: ConsoleUserFieldsFragment }) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<UserStatus | ''>('');
  const [role, setRole] = useState<Role | ''>('');
  const [filter, setFilter] = useState<UserFilter>({});
  const [page, setPage] = useState(1);
  const users = useQuery(UsersDoc, {
    variables: { page, pageSize: PAGE_SIZE, filter },
    fetchPolicy: 'network-only',
  });
  const apply = () => {
    setFilter({
      ...(search.trim() ? { search: search.trim() } : {}),
      ...(status ? { status } : {}),
      ...(role ? { role } : {}),
    });
    setPage(1);
  };
  const result = users.data?.users;
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      <Form onSubmit={apply} label="Filter users">
        <div className="filters">
          <Field
            label="Email or username starts with"
            name="search"
            type="search"
            value={search}
            onChange={setSearch}
          />
          <SelectField
            label="Status"
            name="status"
            value={status}
            onChange={(v) => setStatus(v as UserStatus | '')}
            options={STATUSES}
          />
          <SelectField
            label="Role"
            name="role"
            value={role}
            onChange={(v) => setRole(v as Role | '')}
            options={ROLES}
          />
        </div>
        <button type="submit">Search</button>
      </Form>
      {users.error && (
        <p className="form-error" role="alert">
          The users could not be loaded.
        </p>
      )}
      {result && (
        <p role="status">
          {result.totalItems} user{result.totalItems === 1 ? '' : 's'}
          {result.totalPages > 1 && `, page ${result.page} of ${result.totalPages}`}
        </p>
      )}
      <ul className="cards" aria-label="Users">
        {result?.items.map((u) => (
          <UserCard key={u.id} user={u} self={u.id === me.id} />
        ))}
      </ul>
      {result && <Pager page={result.page} totalPages={result.totalPages} onPage={setPage} />}
    </>
  );
}

const STATUS_LABELS: Record<UserStatus, string> = {
  ACTIVE: 'active',
  LOCKED: 'locked',
  SUSPENDED: 'suspended',
  DELETED: 'deleted',
};

function UserCard({ user, self }: { user: ConsoleUserFieldsFragment; self: boolean }) {
  const client = useApolloClient();
  // The mutations return the user: the normalized cache updates this card by its id.
  const act = useAction(async (what: 'lock' | 'unlock' | 'suspend' | 'reactivate' | 'role') => {
    const id = user.id;
    if (what === 'lock') await client.mutate({ mutation: LockUserDoc, variables: { id } });
    if (what === 'unlock') await client.mutate({ mutation: UnlockUserDoc, variables: { id } });
    if (what === 'suspend') await client.mutate({ mutation: SuspendUserDoc, variables: { id } });
    if (what === 'reactivate') await client.mutate({ mutation: ReactivateUserDoc, variables: { id } });
    if (what === 'role')
      await client.mutate({
        mutation: SetUserRoleDoc,
        variables: { id, role: user.role === 'ADMIN' ? 'USER' : 'ADMIN' },
      });
  });
  const name = user.username;
  const button = (what: Parameters<typeof act.run>[0], label: string) => (
    <button
      type="button"
      onClick={() => act.run(what)}
      disabled={act.pending}
      aria-label={`${label}: ${name}`}
    >
      {label}
    </button>
  );
  const locked = user.status === 'LOCKED';
  return (
    <li className="card" aria-label={name}>
      <h2 className="card-title">
        {name} {user.role === 'ADMIN' && <span className="badge">admin</span>}{' '}
        <span className={`badge ${user.status === 'ACTIVE' ? 'ok' : 'warn'}`} data-testid="user-status">
          {STATUS_LABELS[user.status]}
        </span>
      </h2>
      <dl className="facts">
        <dt>Email</dt>
        <dd>
          {user.email} {user.emailVerified ? '(verified)' : '(not verified)'}
        </dd>
        {user.lockedUntil && (
          <>
            <dt>Locked until</dt>
            <dd>{formatTime(user.lockedUntil)} (after failed sign-ins)</dd>
          </>
        )}
        <dt>Two-step sign-in</dt>
        <dd>{user.mfaEnabled ? user.mfaMethods.join(', ') : 'off'}</dd>
        <dt>Last sign-in</dt>
        <dd>{formatTime(user.lastLoginAt)}</dd>
        <dt>Created</dt>
        <dd>{formatTime(user.createdAt)}</dd>
      </dl>
      {act.error && (
        <p className="form-error" role="alert">
          {act.error.message}
        </p>
      )}
      {!self && user.status !== 'DELETED' && (
        <div className="actions">
          {locked || user.lockedUntil ? button('unlock', 'Unlock') : button('lock', 'Lock')}
          {user.status === 'SUSPENDED' ? button('reactivate', 'Reactivate') : button('suspend', 'Suspend')}
          {button('role', user.role === 'ADMIN' ? 'Make user' : 'Make admin')}
        </div>
      )}
    </li>
  );
}
