import { Field, ObjectType } from 'type-graphql';

@ObjectType('WalletChallenge', { description: 'A message for a wallet to sign, single use.' })
export class WalletChallenge {
  @Field({
    description:
      'The text to sign, unchanged: EIP-4361 (Sign-In with Ethereum) for Ethereum, the Sign In With Solana text for Solana.',
  })
  message!: string;

  @Field({ description: 'When the message stops being accepted (5 minutes after it was issued).' })
  expiresAt!: Date;
}
