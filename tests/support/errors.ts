import { MeDoc } from './operations';
import { bearer, type TestApp } from './test-app';

interface WithErrors {
  errors?: { extensions: { code: string } }[];
}

/** The code of the first error of a GraphQL response, or undefined when it has none. */
export const errorCode = (res: WithErrors) => res.errors?.[0]?.extensions.code;

type LoginResponse = WithErrors & { data?: { login: { __typename?: string } } | null };

/** What a login answered: the payload's __typename, or the first error's code. */
export async function loginOutcome(res: LoginResponse | Promise<LoginResponse>): Promise<string | undefined> {
  const settled = await res;
  return settled.data?.login.__typename ?? errorCode(settled);
}

/** The error code of a `me` query made with this access token, or 'OK' when it succeeds. */
export const meCode = async (app: TestApp, token: string) =>
  errorCode(await app.gql(MeDoc, undefined, bearer(token))) ?? 'OK';
