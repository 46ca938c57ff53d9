import { randomBytes } from 'node:crypto';
import { Role } from '../../src/identity/domain/enums';
import { User } from '../../src/identity/domain/user.entity';
import type { RegisterInput } from '../gql/graphql';
import { LoginDoc, RegisterDoc } from './operations';
import type { TestApp } from './test-app';

let counter = 0;

/** Registration input with unique username and email; override any field. */
export function aRegistration(overrides: Partial<RegisterInput> = {}): RegisterInput {
  counter += 1;
  const tag = `${counter}${randomBytes(3).toString('hex')}`;
  return {
    username: `user_${tag}`,
    email: `person.${tag}@example.com`,
    password: `violet kettle drum ${tag}`,
    ...overrides,
  };
}

/** A registered user, with the password that signs them in. */
export async function aUser(app: TestApp, overrides: Partial<RegisterInput> = {}) {
  const input = aRegistration(overrides);
  const res = await app.gql(RegisterDoc, { input });
  if (!res.data) throw new Error(`registration failed: ${res.raw}`);
  return { ...res.data.register, password: input.password };
}

/** Signs a user in on a device and returns the session's tokens. */
export async function signIn(app: TestApp, user: { email: string; password: string }, deviceId = 'device-1') {
  const res = await app.gql(LoginDoc, {
    input: { identifier: user.email, password: user.password, deviceId },
  });
  const login = res.data?.login;
  if (login?.__typename !== 'AuthPayload') throw new Error(`sign-in failed: ${res.raw}`);
  // Body transport: the refresh token is in the response.
  if (typeof login.refreshToken !== 'string')
    throw new Error(`sign-in returned no refresh token: ${res.raw}`);
  return { ...login, refreshToken: login.refreshToken };
}

/** A signed-in admin (role set directly in the database, as `npm run user:role` does). */
export async function anAdmin(app: TestApp, deviceId = 'admin-device') {
  const user = await aUser(app);
  await app.orm.em.fork().nativeUpdate(User, { id: user.id }, { role: Role.ADMIN });
  return { user, session: await signIn(app, user, deviceId) };
}
