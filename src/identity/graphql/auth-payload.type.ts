import { createUnionType, Field, Int, ObjectType } from 'type-graphql';
import { MfaMethod } from '../domain/enums.js';
import { SessionType } from './session.type.js';
import { UserType } from './user.type.js';

@ObjectType('AuthPayload', { description: 'A signed-in session: the tokens to use and what they belong to.' })
export class AuthPayload {
  @Field({
    description: 'Short-lived JWT for `Authorization: Bearer`; verify it with /.well-known/jwks.json.',
  })
  accessToken!: string;

  @Field({ description: 'When the access token expires.' })
  accessTokenExpiresAt!: Date;

  @Field(() => Int, {
    description:
      'Seconds until the access token expires, counted by the service: refresh ahead of it without trusting the device clock.',
  })
  accessTokenExpiresIn!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Opaque token for `refresh`; single use, replaced at every refresh. Keep it secret. Null with the cookie transport (`X-Token-Transport: cookie`), which sets it as an HttpOnly cookie instead.',
  })
  refreshToken!: string | null;

  @Field({ description: 'When the session ends unless refreshed before then.' })
  refreshTokenExpiresAt!: Date;

  @Field(() => UserType, { description: 'The signed-in user.' })
  user!: UserType;

  @Field(() => SessionType, { description: 'The session these tokens belong to.' })
  session!: SessionType;

  @Field(() => String, {
    nullable: true,
    description:
      'Given at sign-in only: proof that this device signed in before. Keep it per device and send it as ' +
      '`LoginInput.deviceTrustToken` at the next sign-in, so a lockout caused by failures elsewhere does not ' +
      'lock this device out. Replaced at every sign-in. Null with the cookie transport, which sets it as an ' +
      'HttpOnly cookie instead.',
  })
  deviceTrustToken?: string | null;
}

@ObjectType('MfaChallenge', {
  description: 'The password was right; a second factor is needed to finish signing in.',
})
export class MfaChallenge {
  @Field({ description: 'Pass to `verifyMfa` or `sendMfaSmsCode`. Not an access token.' })
  challengeToken!: string;

  @Field(() => [MfaMethod], { description: 'The factors the user can answer with.' })
  methods!: MfaMethod[];

  @Field({ description: 'When the challenge stops being accepted.' })
  expiresAt!: Date;
}

export const LoginResult = createUnionType({
  name: 'LoginResult',
  description: 'Either a signed-in session, or a challenge for the second factor.',
  types: () => [AuthPayload, MfaChallenge] as const,
  resolveType: (value) => (value instanceof MfaChallenge ? MfaChallenge : AuthPayload),
});
