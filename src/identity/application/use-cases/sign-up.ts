import { parseDeviceId, parseDeviceName } from '../../domain/device.js';
import type { RequestContext } from '../request-context.js';
import type { SignIn, SignInOutcome } from '../sign-in.js';
import type { PrepareRegistration, RegisterUserInput } from './register-user.js';

export interface SignUpInput extends RegisterUserInput {
  deviceId: string;
  deviceName?: string | null;
}

/**
 * Creates an account and signs it in on the device that made it, in one request, one bcrypt hash
 * and one transaction: the account, its first session and the device's trust token are written
 * together or not at all. A new account has no second factor, so no challenge.
 */
export function createSignUp(deps: { prepare: PrepareRegistration; signIn: SignIn }) {
  return async function signUp(ctx: RequestContext, input: SignUpInput): Promise<SignInOutcome> {
    const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
    const create = await deps.prepare(ctx, input);
    return deps.signIn.complete(ctx, create, { device, via: 'password' });
  };
}
