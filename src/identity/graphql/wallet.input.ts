import { Field, InputType } from 'type-graphql';
import { Blockchain } from '../domain/enums.js';
import { DEVICE_ID, DEVICE_NAME, DEVICE_TRUST_TOKEN } from './auth.input.js';

@InputType('WalletChallengeInput', { description: 'The wallet that will sign the challenge.' })
export class WalletChallengeInput {
  @Field(() => Blockchain, { description: 'The chain of the wallet.' })
  blockchain!: Blockchain;

  @Field({
    description:
      'The wallet address: Ethereum 0x and 40 hexadecimal digits (lower-case accepted, EIP-55 checksum checked when mixed-case), Solana base58 (32 bytes).',
  })
  address!: string;
}

/** A wallet challenge and its signature: what linking a wallet and signing in with it both send. */
@InputType()
abstract class SignedWalletChallenge {
  @Field({ description: 'The message from `walletChallenge`, exactly as issued.' })
  message!: string;

  @Field({
    description:
      'The wallet’s signature of the message: Ethereum `personal_sign` (0x and 130 hexadecimal digits), Solana `signMessage` bytes in base58.',
  })
  signature!: string;
}

@InputType('LinkWalletInput', {
  description: 'A signed wallet challenge, to link that wallet to your account.',
})
export class LinkWalletInput extends SignedWalletChallenge {
  @Field(() => String, {
    nullable: true,
    description: 'Your password; needed unless this device signed in within the last 5 minutes.',
  })
  password?: string | null;
}

@InputType('WalletLoginInput', { description: 'A signed wallet challenge, and the device signing in.' })
export class WalletLoginInput extends SignedWalletChallenge {
  @Field({ description: DEVICE_ID })
  deviceId!: string;

  @Field(() => String, { nullable: true, description: DEVICE_NAME })
  deviceName?: string | null;

  @Field(() => String, { nullable: true, description: DEVICE_TRUST_TOKEN })
  deviceTrustToken?: string | null;
}
