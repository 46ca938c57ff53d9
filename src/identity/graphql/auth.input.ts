import { Field, InputType } from 'type-graphql';
import { Blockchain } from '../domain/enums.js';

/** The descriptions of the device fields every way of signing in takes. */
export const DEVICE_ID = 'A stable id the client generates once per device (1–128 characters).';
export const DEVICE_NAME = 'A human-readable device name, e.g. "Pixel 8".';
export const DEVICE_TRUST_TOKEN = 'The `deviceTrustToken` this device received at its last sign-in, if any.';

@InputType('RegisterInput', { description: 'A new account.' })
export class RegisterInput {
  @Field({ description: '3–32 letters, digits, "_", "." or "-"; unique regardless of case.' })
  username!: string;

  @Field({ description: 'Email address; stored lower-cased; unique.' })
  email!: string;

  @Field({ description: 'The password (see the password policy in the README).' })
  password!: string;

  @Field(() => String, { nullable: true, description: 'Namibian phone number, +264… or national 0…' })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'Wallet address; requires `walletBlockchain`.' })
  walletAddress?: string | null;

  @Field(() => Blockchain, { nullable: true, description: 'The chain of `walletAddress`.' })
  walletBlockchain?: Blockchain | null;
}

@InputType('LoginInput', { description: 'Credentials and the device signing in.' })
export class LoginInput {
  @Field({ description: 'Email address or username.' })
  identifier!: string;

  @Field({ description: 'The password.' })
  password!: string;

  @Field({ description: DEVICE_ID })
  deviceId!: string;

  @Field(() => String, { nullable: true, description: DEVICE_NAME })
  deviceName?: string | null;

  @Field(() => String, { nullable: true, description: DEVICE_TRUST_TOKEN })
  deviceTrustToken?: string | null;
}

@InputType('SignUpInput', { description: 'A new account, signed in at once on the device that created it.' })
export class SignUpInput extends RegisterInput {
  @Field({ description: DEVICE_ID })
  deviceId!: string;

  @Field(() => String, { nullable: true, description: DEVICE_NAME })
  deviceName?: string | null;
}

@InputType('RefreshInput', { description: 'A refresh token and the device it was issued to.' })
export class RefreshInput {
  @Field(() => String, {
    nullable: true,
    description:
      'The latest refresh token of the session. Omitted: the refresh-token cookie of the cookie transport.',
  })
  refreshToken?: string | null;

  @Field({ description: 'The device id given at sign-in.' })
  deviceId!: string;
}
