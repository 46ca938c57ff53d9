import { Field, ID, ObjectType } from 'type-graphql';
import type { Passkey } from '../domain/passkey.entity.js';

@ObjectType('Passkey', {
  description:
    'A passkey (WebAuthn credential) of the account; the private key never leaves the authenticator.',
})
export class PasskeyType {
  @Field(() => ID, { description: 'Stable identifier, for `renamePasskey` and `removePasskey`.' })
  id!: string;

  @Field({ description: 'The name its owner gave it ("Passkey" when none was given).' })
  name!: string;

  @Field({ description: 'When it was added.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it last signed in or answered an MFA challenge.' })
  lastUsedAt!: Date | null;

  static from(passkey: Passkey): PasskeyType {
    return Object.assign(new PasskeyType(), {
      id: passkey.id,
      name: passkey.name,
      createdAt: passkey.createdAt,
      lastUsedAt: passkey.lastUsedAt ?? null,
    });
  }
}
