import { MailOutboxMessage } from '../../adapters/mail/mail-outbox.entity.js';
import { SmsOutboxMessage } from '../../adapters/sms/sms-outbox.entity.js';
import { SigningKey } from '../../adapters/tokens/signing-key.entity.js';
import { AuditEntry } from '../domain/audit-entry.entity.js';
import { AuditCheckpoint, AuditHead } from '../domain/audit-head.entity.js';
import { DeviceTrust } from '../domain/device-trust.entity.js';
import { EmailToken } from '../domain/email-token.entity.js';
import { MfaChallengeRecord, OneTimeCode, RecoveryCode } from '../domain/mfa.entities.js';
import { Passkey } from '../domain/passkey.entity.js';
import { PasskeyChallenge } from '../domain/passkey-challenge.entity.js';
import { RetiredRefreshToken } from '../domain/retired-refresh-token.entity.js';
import { Session } from '../domain/session.entity.js';
import { AuditCheckpointKey, SignedAuditCheckpoint } from '../domain/signed-audit-checkpoint.entities.js';
import { User } from '../domain/user.entity.js';
import { WalletChallenge } from '../domain/wallet-challenge.entity.js';

/** Every entity of the service, listed once. */
export const entities = [
  User,
  Session,
  RetiredRefreshToken,
  DeviceTrust,
  EmailToken,
  SigningKey,
  AuditEntry,
  AuditHead,
  AuditCheckpoint,
  AuditCheckpointKey,
  SignedAuditCheckpoint,
  RecoveryCode,
  OneTimeCode,
  MfaChallengeRecord,
  SmsOutboxMessage,
  MailOutboxMessage,
  WalletChallenge,
  Passkey,
  PasskeyChallenge,
];

/** Columns encrypted at rest through the ORM, with the context bound into each ciphertext. */
export const ENCRYPTED_COLUMNS: Record<string, [property: string, context: string][]> = {
  User: [['phone', 'users.phone']],
};
