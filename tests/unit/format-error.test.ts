import { GraphQLError } from 'graphql';
import { createErrorFormatter } from '../../src/identity/graphql/format-error';
import { createLogger, createRequestScope } from '../../src/kernel/logger';

/** The formatter with a logger whose lines are kept. */
function formatter() {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    scope: createRequestScope(),
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { lines, format: createErrorFormatter({ logger, requestId: () => 'req-1' }) };
}

/** An unexpected error as Apollo hands it over: wrapped in a GraphQLError at a path. */
const asResolverError = (err: Error) => new GraphQLError(err.message, { path: ['me'], originalError: err });

describe('the error formatter', () => {
  it('logs an unexpected error by kind and message, never with its stack trace', () => {
    const { lines, format } = formatter();
    const err = new TypeError('cannot read properties of undefined');
    const res = format({ message: err.message, path: ['me'] }, asResolverError(err));

    expect(res).toMatchObject({ message: 'Internal server error', extensions: { requestId: 'req-1' } });
    expect(lines).toHaveLength(1);
    const logged = JSON.parse(lines[0]);
    expect(logged.error).toMatchObject({ type: 'TypeError', message: 'cannot read properties of undefined' });
    expect(lines[0]).not.toContain('stack');
    expect(lines[0]).not.toMatch(/\bat .+:\d+:\d+/);
    expect(lines[0]).not.toContain(__filename);
  });

  it('logs a driver error by its codes only: its message carries the statement', () => {
    const { lines, format } = formatter();
    const err = Object.assign(
      new Error('insert into "users" ("email") values ($1) - relation does not exist'),
      {
        code: '42P01',
        sqlState: '42P01',
      },
    );
    format({ message: err.message, path: ['register'] }, asResolverError(err));

    const logged = JSON.parse(lines[0]);
    expect(logged.error).toEqual({ type: 'Error', errorCode: '42P01', sqlState: '42P01' });
    expect(lines[0]).not.toMatch(/insert into|users/);
  });
});
