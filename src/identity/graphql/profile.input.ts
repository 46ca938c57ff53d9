import { Field, InputType } from 'type-graphql';
import { Blockchain } from '../domain/enums.js';

@InputType('UpdateProfileInput', {
  description: 'Profile changes. An omitted field stays as it is; null removes the phone or the wallet.',
})
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: 'New username (same rules as at registration).' })
  username?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'New email address. It takes effect once a link sent to it is followed (`verifyEmail`); until then it is `pendingEmail`, and the current address is told.',
  })
  email?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Namibian phone number, +264… or 0…; null removes it.',
  })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: 'Wallet address; null removes the wallet.' })
  walletAddress?: string | null;

  @Field(() => Blockchain, { nullable: true, description: 'The chain of `walletAddress`.' })
  walletBlockchain?: Blockchain | null;
}
