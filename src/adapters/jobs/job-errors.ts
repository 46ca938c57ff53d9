/**
 * What a failed job keeps of its error, in its stored output and in log lines: codes and the
 * error's class, never a message. Messages of mail servers and drivers name recipients and
 * values; the codes say what went wrong without them.
 */
export interface JobErrorCodes {
  /** The error's class, e.g. MailDeliveryError. */
  type: string;
  /** nodemailer's code (ECONNECTION, EENVELOPE, EAUTH…), a system call's (ECONNREFUSED), or a SQLSTATE. */
  errorCode?: string;
  /** The mail server's reply code (421, 550…). */
  responseCode?: number;
  /** The SMS provider's answer, e.g. `HTTP 503` or `timeout`. */
  reason?: string;
}

export function jobErrorCodes(err: unknown): JobErrorCodes {
  if (!err || typeof err !== 'object') return { type: typeof err };
  const e = err as {
    errorCode?: unknown;
    code?: unknown;
    sqlState?: unknown;
    responseCode?: unknown;
    reason?: unknown;
  };
  const errorCode = [e.errorCode, e.sqlState, e.code].find((c): c is string => typeof c === 'string');
  return {
    // pg-boss reports some errors as plain objects copied from an Error.
    type: err instanceof Error ? err.constructor.name : 'Error',
    ...(errorCode ? { errorCode } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.reason === 'string' && /^[\w .-]{1,40}$/.test(e.reason) ? { reason: e.reason } : {}),
  };
}

/** Whether retrying cannot help: the error says so itself (a mail server's permanent refusal). */
export const isPermanent = (err: unknown): boolean =>
  err instanceof Error && (err as { permanent?: unknown }).permanent === true;

/** One line for an operator: `MailDeliveryError ECONNECTION`, `SmsDeliveryError HTTP 503`. */
export function describeJobOutput(output: unknown): string {
  if (!output || typeof output !== 'object') return '';
  const o = output as Record<string, unknown>;
  const parts = [o.type, o.errorCode, o.responseCode, o.reason].filter(
    (p) => typeof p === 'string' || typeof p === 'number',
  );
  // Outputs pg-boss writes itself (an expired or abandoned attempt) carry only its own message.
  if (parts.length === 0 && typeof o.message === 'string') return o.message.slice(0, 200);
  return parts.join(' ');
}
