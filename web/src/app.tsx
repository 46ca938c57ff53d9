import { useApolloClient, useQuery } from '@apollo/client/react';
import { type ReactNode, useEffect, useRef, useSyncExternalStore } from 'react';
import { LogoutDoc, MeDoc } from './api/operations';
import { authState, onAuthChange, signedOut } from './api/session';
import type { ConsoleUserFieldsFragment } from './gql/graphql';
import { AuditLogPage } from './pages/audit-log';
import { DevicesPage } from './pages/devices';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/password-reset';
import { ProfilePage } from './pages/profile';
import { SecurityPage } from './pages/security';
import { SignInPage } from './pages/sign-in';
import { SignUpPage } from './pages/sign-up';
import { UsersPage } from './pages/users';
import { VerifyEmailPage } from './pages/verify-email';
import { Link, navigate, useLocation } from './router';

/** Pages anyone may open, signed in or not. */
const PUBLIC: Record<string, () => ReactNode> = {
  '/verify-email': () => <VerifyEmailPage />,
  '/reset-password': () => <ResetPasswordPage />,
  '/forgot-password': () => <ForgotPasswordPage />,
};
/** Pages for signed-out visitors; signed in, they lead to the profile. */
const SIGNED_OUT: Record<string, () => ReactNode> = {
  '/sign-in': () => <SignInPage />,
  '/sign-up': () => <SignUpPage />,
};
/** Pages of the signed-in account holder. */
const SIGNED_IN: Record<string, (me: ConsoleUserFieldsFragment) => ReactNode> = {
  '/profile': (me) => <ProfilePage me={me} />,
  '/security': (me) => <SecurityPage me={me} />,
  '/devices': () => <DevicesPage />,
};
/** Pages of administrators. */
const ADMIN: Record<string, (me: ConsoleUserFieldsFragment) => ReactNode> = {
  '/admin/users': (me) => <UsersPage me={me} />,
  '/admin/audit': () => <AuditLogPage />,
};

export function App() {
  const auth = useSyncExternalStore(onAuthChange, authState);
  const { path } = useLocation();
  const signedIn = auth.status === 'signedIn';
  const me = useQuery(MeDoc, { skip: !signedIn });
  const user = signedIn ? me.data?.me : undefined;

  const publicPage = path in PUBLIC ? PUBLIC[path] : undefined;
  const redirect =
    publicPage || auth.status === 'restoring'
      ? undefined
      : signedIn
        ? path in SIGNED_OUT || path === '/' || !(path in SIGNED_IN || path in ADMIN)
          ? '/profile'
          : undefined
        : path in SIGNED_OUT
          ? undefined
          : '/sign-in';
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  // Signed out (by the button, or because the session ended): forget what the cache holds.
  const client = useApolloClient();
  useEffect(() => {
    if (auth.status === 'signedOut') void client.clearStore();
  }, [auth.status, client]);

  // After a navigation within the app, focus goes to the new page's heading, as a page load would
  // start a screen reader at the top.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path !== firstPath.current) document.querySelector<HTMLElement>('main h1')?.focus();
  }, [path]);

  let page: ReactNode;
  if (publicPage) page = publicPage();
  else if (auth.status === 'restoring' || redirect) page = <Loading />;
  else if (!signedIn) page = SIGNED_OUT[path]?.();
  else if (!user) page = me.error ? <LoadFailed /> : <Loading />;
  else if (path in ADMIN) page = user.role === 'ADMIN' ? ADMIN[path](user) : <Forbidden />;
  else page = SIGNED_IN[path]?.(user);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header user={user} signedIn={signedIn} path={path} />
      <main id="main">{page}</main>
    </>
  );
}

function Header({
  user,
  signedIn,
  path,
}: {
  user: ConsoleUserFieldsFragment | undefined;
  signedIn: boolean;
  path: string;
}) {
  const client = useApolloClient();
  const signOut = async () => {
    try {
      await client.mutate({ mutation: LogoutDoc });
    } catch {
      // The session may be over already; the cookies are cleared by the service either way.
    }
    signedOut();
    await client.clearStore();
    navigate('/sign-in');
  };
  const item = (to: string, label: string) => (
    <li>
      <Link to={to} aria-current={path === to ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <header className="site-header">
      <p className="brand">elcorp account</p>
      {signedIn && (
        <nav aria-label="Account">
          <ul>
            {item('/profile', 'Profile')}
            {item('/security', 'Security')}
            {item('/devices', 'Devices')}
            {user?.role === 'ADMIN' && item('/admin/users', 'Users')}
            {user?.role === 'ADMIN' && item('/admin/audit', 'Audit log')}
            <li>
              <button type="button" className="link-button" onClick={signOut}>
                Sign out
              </button>
            </li>
          </ul>
        </nav>
      )}
    </header>
  );
}

function Loading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}

function LoadFailed() {
  return (
    <p className="form-error" role="alert">
      Your account could not be loaded. Reload the page to try again.
    </p>
  );
}

function Forbidden() {
  return (
    <>
      <h1 tabIndex={-1}>Not allowed</h1>
      <p>This page is for administrators.</p>
    </>
  );
}
