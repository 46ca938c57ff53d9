import { registerEnumType } from 'type-graphql';
import { Blockchain, MfaMethod, Role, UserStatus } from '../domain/enums.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do.',
  valuesConfig: {
    USER: { description: 'A regular account holder.' },
    ADMIN: { description: 'May manage other users and read the audit log.' },
  },
});

registerEnumType(UserStatus, {
  name: 'UserStatus',
  description: 'Whether an account can be used.',
  valuesConfig: {
    ACTIVE: { description: 'The account can sign in.' },
    LOCKED: {
      description:
        'Signed out and blocked by an admin until unlocked (temporary lockouts after failed sign-ins leave the status as it is).',
    },
    SUSPENDED: { description: 'Blocked by an admin until reactivated.' },
    DELETED: { description: 'Deleted by its owner; personal data has been erased.' },
  },
});

registerEnumType(MfaMethod, {
  name: 'MfaMethod',
  description: 'A second factor for signing in.',
  valuesConfig: {
    TOTP: { description: 'A time-based one-time code from an authenticator app (RFC 6238).' },
    SMS: { description: 'A one-time code sent by SMS to the profile phone.' },
    PASSKEY: {
      description:
        "One of the account's passkeys, answering an MFA challenge: `beginPasskeyLogin(challengeToken)`, then `finishPasskeyLogin(…, challengeToken)`.",
    },
  },
});

registerEnumType(Blockchain, {
  name: 'Blockchain',
  description: 'The chain a wallet address belongs to.',
  valuesConfig: {
    ETHEREUM: { description: 'Ethereum: a 0x-prefixed, EIP-55 checksummed address.' },
    SOLANA: { description: 'Solana: a base58-encoded 32-byte public key.' },
  },
});
