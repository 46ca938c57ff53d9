import { Field, InputType, ObjectType } from 'type-graphql';
import { MfaMethod } from '../domain/enums.js';

@ObjectType('TotpEnrollment', {
  description: 'A TOTP secret to add to an authenticator app; confirm it with a code.',
})
export class TotpEnrollment {
  @Field({ description: 'The secret, base32 (160 bits), for manual entry.' })
  secret!: string;

  @Field({ description: 'otpauth:// URI (issuer elcorp, account = email) to show as a QR code.' })
  otpauthUri!: string;
}

@InputType('VerifyMfaInput', { description: 'The second step of signing in.' })
export class VerifyMfaInput {
  @Field({ description: 'From the MfaChallenge returned by login.' })
  challengeToken!: string;

  @Field({ description: 'A TOTP code, an SMS code, or one of the recovery codes.' })
  code!: string;

  @Field(() => MfaMethod, {
    nullable: true,
    description: 'Which factor the code is from; omitted, every factor is tried.',
  })
  method?: MfaMethod | null;
}
