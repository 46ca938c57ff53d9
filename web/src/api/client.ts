import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { defer, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import possibleTypes from '../../../schema/possible-types.json';
import {
  authHeaders,
  currentAccessToken,
  GRAPHQL_URL,
  refreshDue,
  refreshSession,
  signedOut,
} from './session';

type Result = ApolloLink.Result;

const reasonOf = (result: Result): string | undefined =>
  result.errors?.find((e) => e.extensions?.code === 'UNAUTHENTICATED')?.extensions?.reason as
    | string
    | undefined;

/**
 * Puts the tokens on every operation and keeps the session alive: refreshes ahead of the access
 * token's expiry, and once after an UNAUTHENTICATED error whose reason is TOKEN_EXPIRED, then
 * sends the operation again once. Every operation waiting for a refresh shares the same one, and
 * an operation whose TOKEN_EXPIRED comes back after a refresh already replaced the token it was
 * sent with is sent again with the new one, without another refresh. A refresh the service
 * refuses for now (its budget spent, the service failing) or that cannot reach it leaves the tab
 * signed in: the operation fails with that error instead. The other reasons (TOKEN_INVALID,
 * SESSION_ENDED, DEVICE_MISMATCH) end the session: sign in again.
 */
const sessionLink = new ApolloLink((operation, forward): Observable<Result> => {
  /** The access token of the last sending of this operation. */
  let sentWith: string | undefined;
  const send = () =>
    defer(() => {
      sentWith = currentAccessToken();
      operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
        headers: { ...headers, ...authHeaders() },
      }));
      return forward(operation);
    });
  /**
   * The operation's answer, once the session has had its chance: after a TOKEN_EXPIRED, sent
   * again with the token that replaced the one it was sent with, or else after a refresh (once).
   */
  const settle = (result: Result, afterRefresh: boolean): Observable<Result> => {
    const reason = reasonOf(result);
    if (reason !== 'TOKEN_EXPIRED' || afterRefresh) {
      if (reason) signedOut();
      return of(result);
    }
    const current = currentAccessToken();
    if (current !== undefined && current !== sentWith)
      return send().pipe(mergeMap((retried) => settle(retried, false)));
    return from(refreshSession()).pipe(
      mergeMap((outcome) => {
        if (outcome.status === 'refreshed') return send().pipe(mergeMap((retried) => settle(retried, true)));
        if (outcome.status === 'ended') return of(result);
        if (outcome.errors) return of({ ...result, errors: outcome.errors });
        return throwError(() => new Error('The session could not be refreshed: the service was not reached'));
      }),
    );
  };
  const first = refreshDue() ? from(refreshSession()).pipe(mergeMap(() => send())) : send();
  return first.pipe(mergeMap((result) => settle(result, false)));
});

export const client = new ApolloClient({
  link: ApolloLink.from([sessionLink, new HttpLink({ uri: GRAPHQL_URL, credentials: 'same-origin' })]),
  cache: new InMemoryCache({ possibleTypes }),
  defaultOptions: {
    watchQuery: { fetchPolicy: 'cache-and-network' },
  },
});
