export { Blockchain } from './wallet-address.js';

export enum Role {
  USER = 'USER',
  ADMIN = 'ADMIN',
}

export enum UserStatus {
  ACTIVE = 'ACTIVE',
  LOCKED = 'LOCKED',
  SUSPENDED = 'SUSPENDED',
  DELETED = 'DELETED',
}

export enum MfaMethod {
  TOTP = 'TOTP',
  SMS = 'SMS',
  /** Offered in an MFA challenge when the account has a passkey; never an account's enrolled method. */
  PASSKEY = 'PASSKEY',
}
