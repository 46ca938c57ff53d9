import { AuditEntry } from '../audit/audit-entry.entity.js';
import { AuditCheckpoint, AuditHead } from '../audit/audit-head.entity.js';
import { DeviceTrust } from '../identity/device-trust.entity.js';
import { RetiredRefreshToken } from '../identity/retired-refresh-token.entity.js';
import { Session } from '../identity/session.entity.js';
import { User } from '../identity/user.entity.js';
import { MfaChallengeRecord, OneTimeCode, RecoveryCode } from '../mfa/mfa.entities.js';
import { SigningKey } from '../security/signing-key.entity.js';
import { SmsOutboxMessage } from '../sms/sms-outbox.entity.js';

/** Every entity, listed once: no folder scanning, so ts-node, swc and the build agree. */
export const entities = [
  User,
  Session,
  RetiredRefreshToken,
  DeviceTrust,
  SigningKey,
  AuditEntry,
  AuditHead,
  AuditCheckpoint,
  RecoveryCode,
  OneTimeCode,
  MfaChallengeRecord,
  SmsOutboxMessage,
];
