import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { AuthPayload, LoginResult } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { toPayload } from './mappers.js';
import { PasskeyType } from './passkey.type.js';

type JSONObject = Record<string, unknown>;

const passwordArg = {
  nullable: true,
  description: 'Your password; needed unless this device signed in within the last 5 minutes.',
};

@Resolver()
export class PasskeyResolver {
  @Mutation(() => GraphQLJSONObject, {
    description:
      'Starts adding a passkey: options for `navigator.credentials.create({ publicKey })` (base64url fields, as PublicKeyCredential.parseCreationOptionsFromJSON takes them). Their challenge is accepted once, within 5 minutes.',
  })
  async beginPasskeyRegistration(
    @Arg('password', () => String, passwordArg) password: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<JSONObject> {
    return { ...(await ctx.useCases.beginPasskeyRegistration(ctx, password)) };
  }

  @Mutation(() => PasskeyType, {
    description: 'Adds the passkey the browser created with the options of `beginPasskeyRegistration`.',
  })
  async finishPasskeyRegistration(
    @Arg('response', () => GraphQLJSONObject, {
      description: "The new credential as JSON (the browser's `credential.toJSON()`).",
    })
    response: JSONObject,
    @Arg('name', () => String, { nullable: true, description: 'A name to tell it apart (1-64 characters).' })
    name: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PasskeyType> {
    return PasskeyType.from(await ctx.useCases.finishPasskeyRegistration(ctx, { response, name }));
  }

  @Mutation(() => GraphQLJSONObject, {
    description:
      "Starts signing in with a passkey: options for `navigator.credentials.get({ publicKey })`. Without `challengeToken`, for any passkey of this service (no username asked); with it, for that account's passkeys, to answer the MFA challenge.",
  })
  async beginPasskeyLogin(
    @Arg('challengeToken', () => String, {
      nullable: true,
      description: 'The token of an MfaChallenge whose methods include PASSKEY.',
    })
    challengeToken: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<JSONObject> {
    return { ...(await ctx.useCases.beginPasskeyLogin(ctx, challengeToken)) };
  }

  @Mutation(() => LoginResult, {
    description:
      'Signs in on a device with the passkey assertion the browser made with the options of `beginPasskeyLogin`. A passkey with user verification completes the sign-in (it is two factors in itself), so this returns an AuthPayload; with `challengeToken` it answers that MFA challenge instead.',
  })
  async finishPasskeyLogin(
    @Arg('response', () => GraphQLJSONObject, {
      description: "The assertion as JSON (the browser's `credential.toJSON()`).",
    })
    response: JSONObject,
    @Arg('deviceId', { description: 'The device signing in (as for `login`).' }) deviceId: string,
    @Arg('deviceName', () => String, { nullable: true, description: 'A human-readable device name.' })
    deviceName: string | null,
    @Arg('challengeToken', () => String, {
      nullable: true,
      description:
        'The MFA challenge this passkey answers, as given to `beginPasskeyLogin`. `deviceId` must then be the device that called `login`; the session keeps the name given there.',
    })
    challengeToken: string | null,
    @Arg('deviceTrustToken', () => String, {
      nullable: true,
      description: "This device's trust token from its last sign-in (or its cookie), as for `login`.",
    })
    deviceTrustToken: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<typeof LoginResult> {
    const outcome = challengeToken
      ? await ctx.useCases.verifyMfaWithPasskey(ctx, { challengeToken, response, deviceId })
      : await ctx.useCases.finishPasskeyLogin(ctx, {
          response,
          deviceId,
          deviceName,
          deviceTrustToken: deviceTrustToken ?? ctx.tokens.deviceTrustToken,
        });
    return toPayload(ctx, outcome) satisfies AuthPayload;
  }

  @Query(() => [PasskeyType], { description: 'Your passkeys, oldest first.' })
  async myPasskeys(@Ctx() ctx: GraphQLContext): Promise<PasskeyType[]> {
    return (await ctx.useCases.myPasskeys(ctx)).map(PasskeyType.from);
  }

  @Mutation(() => PasskeyType, { description: 'Renames one of your passkeys.' })
  async renamePasskey(
    @Arg('id', () => ID, { description: 'The passkey, from `myPasskeys`.' }) id: string,
    @Arg('name', { description: 'Its new name (1-64 characters).' }) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PasskeyType> {
    return PasskeyType.from(await ctx.useCases.renamePasskey(ctx, id, name));
  }

  @Mutation(() => Boolean, { description: 'Removes one of your passkeys: it no longer signs in.' })
  async removePasskey(
    @Arg('id', () => ID, { description: 'The passkey, from `myPasskeys`.' }) id: string,
    @Arg('password', () => String, passwordArg) password: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.removePasskey(ctx, id, password);
  }
}
