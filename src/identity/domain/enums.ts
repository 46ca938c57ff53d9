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
}
