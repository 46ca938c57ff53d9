import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { AuthPayload } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { toPayload } from './mappers.js';
import { TotpEnrollment, VerifyMfaInput } from './mfa.type.js';

const passwordArg = {
  nullable: true,
  description: 'Your password; needed unless this device signed in within the last 5 minutes.',
};

@Resolver()
export class MfaResolver {
  @Mutation(() => AuthPayload, { description: 'Answers an MFA challenge; a right code opens the session.' })
  async verifyMfa(
    @Arg('input', () => VerifyMfaInput, { description: 'The challenge and the code.' }) input: VerifyMfaInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    return toPayload(ctx, await ctx.useCases.verifyMfa(ctx, input));
  }

  @Mutation(() => Boolean, {
    description: 'Sends a sign-in code by SMS for this challenge (30 s apart, 10 a day).',
  })
  sendMfaSmsCode(
    @Arg('challengeToken', { description: 'From the MfaChallenge returned by login.' })
    challengeToken: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.sendMfaSmsCode(ctx, challengeToken);
  }

  @Mutation(() => TotpEnrollment, {
    description: 'Starts TOTP enrolment: a new secret for your authenticator app.',
  })
  async beginTotpEnrollment(
    @Arg('password', () => String, passwordArg) password: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TotpEnrollment> {
    const result = await ctx.useCases.beginTotpEnrollment(ctx, password);
    return Object.assign(new TotpEnrollment(), result);
  }

  @Mutation(() => [String], {
    description: 'Turns TOTP on with a code from the new secret. Returns 10 recovery codes, shown this once.',
  })
  async confirmTotpEnrollment(
    @Arg('code', { description: 'The current code from the authenticator app.' }) code: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<string[]> {
    return ctx.useCases.confirmTotpEnrollment(ctx, code);
  }

  @Mutation(() => Boolean, { description: 'Sends a code to your profile phone, for enableSmsMfa.' })
  async requestPhoneVerification(
    @Arg('password', () => String, passwordArg) password: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.requestPhoneVerification(ctx, password);
  }

  @Mutation(() => Boolean, {
    description: 'Turns SMS sign-in codes on, with the code sent by requestPhoneVerification.',
  })
  async enableSmsMfa(
    @Arg('code', { description: 'The code received by SMS.' }) code: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.enableSmsMfa(ctx, code);
  }

  @Mutation(() => Boolean, {
    description: 'Turns every second factor off. Needs the password and a current code.',
  })
  async disableMfa(
    @Arg('password', { description: 'Your password.' }) password: string,
    @Arg('code', { description: 'A TOTP code, a code from requestPhoneVerification, or a recovery code.' })
    code: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.disableMfa(ctx, { password, code });
  }
}
