import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { defer, from, mergeMap, type Observable, of } from 'rxjs';
import possibleTypes from '../../../schema/possible-types.json';
import { authHeaders, GRAPHQL_URL, refreshDue, refreshSession, signedOut } from './session';

type Result = ApolloLink.Result;

const reasonOf = (result: Result): string | undefined =>
  result.errors?.find((e) => e.extensions?.code === 'UNAUTHENTICATED')?.extensions?.reason as
    | string
    | undefined;

/**
 * Puts the tokens on every operation and keeps the session alive: refreshes ahead of the access
 * token's expiry, and once after an UNAUTHENTICATED error whose reason is TOKEN_EXPIRED, then
 * sends the operation again once. Every operation waiting for a refresh shares the same one.
 * The other reasons (TOKEN_INVALID, SESSION_ENDED, DEVICE_MISMATCH) end the session: sign in again.
 */
const sessionLink = new ApolloLink((operation, forward): Observable<Result> => {
  const send = () =>
    defer(() => {
      operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
        headers: { ...headers, ...authHeaders() },
      }));
      return forward(operation);
    });
  const first = refreshDue() ? from(refreshSession()).pipe(mergeMap(() => send())) : send();
  return first.pipe(
    mergeMap((result) => {
      const reason = reasonOf(result);
      if (reason === 'TOKEN_EXPIRED')
        return from(refreshSession()).pipe(
          mergeMap((refreshed) => (refreshed ? send() : of(result))),
          mergeMap((retried) => {
            if (reasonOf(retried)) signedOut();
            return of(retried);
          }),
        );
      if (reason) signedOut();
      return of(result);
    }),
  );
});

export const client = new ApolloClient({
  link: ApolloLink.from([sessionLink, new HttpLink({ uri: GRAPHQL_URL, credentials: 'same-origin' })]),
  cache: new InMemoryCache({ possibleTypes }),
  defaultOptions: {
    watchQuery: { fetchPolicy: 'cache-and-network' },
  },
});
