/**
 * Class name and a SQL-free message: driver errors carry the statement and its
 * values in theirs, so only their codes are kept. No stack trace: the request
 * id ties the line to the request, and stacks name paths and values no log keeps.
 */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const isDriverError = 'sqlState' in err || 'code' in err;
  return {
    type: err.constructor.name,
    message: isDriverError ? undefined : err.message,
    errorCode: (err as { code?: unknown }).code,
    sqlState: (err as { sqlState?: string }).sqlState,
  };
}
