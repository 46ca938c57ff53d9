import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request, Response } from 'express';
import { EdgeGraphQLContext, type GraphQLContextDeps } from '../../src/http/graphql-context';

const secretHeader = 'Bearer a.secret.token';

function aContext() {
  const fork = jest.fn(() => ({ forked: true }));
  const authenticate = jest.fn();
  const deps = {
    orm: { em: { fork } },
    scope: new AsyncLocalStorage(),
    useCases: {},
    authenticate,
    clock: { now: () => new Date(0) },
  } as unknown as GraphQLContextDeps;
  const headers: Record<string, string> = { authorization: secretHeader, 'user-agent': 'ua' };
  const req = { ip: '192.0.2.1', get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
  return { context: new EdgeGraphQLContext(deps, req, {} as Response), fork, authenticate };
}

describe('the GraphQL context of a request', () => {
  it('survives the copy Apollo makes of it (Object.assign onto its prototype) without forking', () => {
    const { context, fork } = aContext();
    const copy = Object.assign(Object.create(Object.getPrototypeOf(context)), context) as EdgeGraphQLContext;
    expect(fork).not.toHaveBeenCalled();
    expect(copy.em).toBe(copy.em);
    expect(fork).toHaveBeenCalledTimes(1);
    expect(copy.meta).toEqual({ requestId: '', ip: '192.0.2.1', userAgent: 'ua' });
  });

  it('serialises to where the request came from only: never the request, its token or the dependencies', () => {
    const { context } = aContext();
    const text = JSON.stringify(context);
    expect(JSON.parse(text)).toEqual({ meta: { requestId: '', ip: '192.0.2.1', userAgent: 'ua' } });
    expect(text).not.toContain('secret');
  });
});
