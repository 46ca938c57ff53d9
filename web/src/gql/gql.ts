/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ConsoleUserFields on User {\n    id\n    username\n    email\n    emailVerified\n    pendingEmail\n    phone\n    role\n    status\n    lockedUntil\n    mfaEnabled\n    mfaMethods\n    lastLoginAt\n    createdAt\n    wallet {\n      address\n      blockchain\n    }\n  }\n": typeof types.ConsoleUserFieldsFragmentDoc,
    "\n  fragment ConsoleAuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresIn\n    user {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleAuthFieldsFragmentDoc,
    "\n  mutation ConsoleRefresh($input: RefreshInput!) {\n    refresh(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n": typeof types.ConsoleRefreshDocument,
    "\n  mutation ConsoleSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n": typeof types.ConsoleSignUpDocument,
    "\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n      ... on MfaChallenge {\n        challengeToken\n        methods\n        expiresAt\n      }\n    }\n  }\n": typeof types.ConsoleLoginDocument,
    "\n  mutation ConsoleVerifyMfa($input: VerifyMfaInput!) {\n    verifyMfa(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n": typeof types.ConsoleVerifyMfaDocument,
    "\n  mutation ConsoleSendMfaSms($challengeToken: String!) {\n    sendMfaSmsCode(challengeToken: $challengeToken)\n  }\n": typeof types.ConsoleSendMfaSmsDocument,
    "\n  mutation ConsoleLogout {\n    logout\n  }\n": typeof types.ConsoleLogoutDocument,
    "\n  query ConsoleMe {\n    me {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleMeDocument,
    "\n  mutation ConsoleVerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": typeof types.ConsoleVerifyEmailDocument,
    "\n  mutation ConsoleRequestEmailVerification {\n    requestEmailVerification\n  }\n": typeof types.ConsoleRequestEmailVerificationDocument,
    "\n  mutation ConsoleRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.ConsoleRequestPasswordResetDocument,
    "\n  mutation ConsoleResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.ConsoleResetPasswordDocument,
    "\n  mutation ConsoleUpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleUpdateProfileDocument,
    "\n  mutation ConsoleChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": typeof types.ConsoleChangePasswordDocument,
    "\n  mutation ConsoleBeginTotp($password: String) {\n    beginTotpEnrollment(password: $password) {\n      secret\n      otpauthUri\n    }\n  }\n": typeof types.ConsoleBeginTotpDocument,
    "\n  mutation ConsoleConfirmTotp($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n": typeof types.ConsoleConfirmTotpDocument,
    "\n  mutation ConsoleRequestPhoneVerification($password: String) {\n    requestPhoneVerification(password: $password)\n  }\n": typeof types.ConsoleRequestPhoneVerificationDocument,
    "\n  mutation ConsoleEnableSmsMfa($code: String!) {\n    enableSmsMfa(code: $code)\n  }\n": typeof types.ConsoleEnableSmsMfaDocument,
    "\n  mutation ConsoleDisableMfa($password: String!, $code: String!) {\n    disableMfa(password: $password, code: $code)\n  }\n": typeof types.ConsoleDisableMfaDocument,
    "\n  mutation ConsoleDeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n": typeof types.ConsoleDeleteAccountDocument,
    "\n  query ConsoleMySessions {\n    mySessions {\n      id\n      deviceId\n      deviceName\n      userAgent\n      ipAddress\n      createdAt\n      lastUsedAt\n      current\n    }\n  }\n": typeof types.ConsoleMySessionsDocument,
    "\n  mutation ConsoleRevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.ConsoleRevokeSessionDocument,
    "\n  mutation ConsoleRevokeOtherSessions {\n    revokeAllSessions(keepCurrent: true)\n  }\n": typeof types.ConsoleRevokeOtherSessionsDocument,
    "\n  query ConsoleUsers($page: Int!, $pageSize: Int!, $filter: UserFilter) {\n    users(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        ...ConsoleUserFields\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n": typeof types.ConsoleUsersDocument,
    "\n  mutation ConsoleLockUser($id: ID!, $reason: String) {\n    lockUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleLockUserDocument,
    "\n  mutation ConsoleUnlockUser($id: ID!) {\n    unlockUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleUnlockUserDocument,
    "\n  mutation ConsoleSuspendUser($id: ID!, $reason: String) {\n    suspendUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleSuspendUserDocument,
    "\n  mutation ConsoleReactivateUser($id: ID!) {\n    reactivateUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleReactivateUserDocument,
    "\n  mutation ConsoleSetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...ConsoleUserFields\n    }\n  }\n": typeof types.ConsoleSetUserRoleDocument,
    "\n  query ConsoleAuditLog($page: Int!, $pageSize: Int!, $filter: AuditFilter) {\n    auditLog(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        id\n        sequence\n        type\n        occurredAt\n        data\n        actor {\n          id\n          username\n        }\n        subject {\n          id\n          username\n        }\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n": typeof types.ConsoleAuditLogDocument,
    "\n  query ConsoleVerifyAuditLog {\n    verifyAuditLog {\n      valid\n      entriesChecked\n      entriesPending\n      firstBrokenSequence\n    }\n  }\n": typeof types.ConsoleVerifyAuditLogDocument,
    "\n  fragment ConsolePasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n  }\n": typeof types.ConsolePasskeyFieldsFragmentDoc,
    "\n  query ConsoleMyPasskeys {\n    myPasskeys {\n      ...ConsolePasskeyFields\n    }\n  }\n": typeof types.ConsoleMyPasskeysDocument,
    "\n  mutation ConsoleBeginPasskeyRegistration($password: String) {\n    beginPasskeyRegistration(password: $password)\n  }\n": typeof types.ConsoleBeginPasskeyRegistrationDocument,
    "\n  mutation ConsoleFinishPasskeyRegistration($response: JSONObject!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n": typeof types.ConsoleFinishPasskeyRegistrationDocument,
    "\n  mutation ConsoleRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n": typeof types.ConsoleRenamePasskeyDocument,
    "\n  mutation ConsoleRemovePasskey($id: ID!, $password: String) {\n    removePasskey(id: $id, password: $password)\n  }\n": typeof types.ConsoleRemovePasskeyDocument,
    "\n  mutation ConsoleBeginPasskeyLogin($challengeToken: String) {\n    beginPasskeyLogin(challengeToken: $challengeToken)\n  }\n": typeof types.ConsoleBeginPasskeyLoginDocument,
    "\n  mutation ConsoleFinishPasskeyLogin($response: JSONObject!, $deviceId: String!, $challengeToken: String) {\n    finishPasskeyLogin(response: $response, deviceId: $deviceId, challengeToken: $challengeToken) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n    }\n  }\n": typeof types.ConsoleFinishPasskeyLoginDocument,
};
const documents: Documents = {
    "\n  fragment ConsoleUserFields on User {\n    id\n    username\n    email\n    emailVerified\n    pendingEmail\n    phone\n    role\n    status\n    lockedUntil\n    mfaEnabled\n    mfaMethods\n    lastLoginAt\n    createdAt\n    wallet {\n      address\n      blockchain\n    }\n  }\n": types.ConsoleUserFieldsFragmentDoc,
    "\n  fragment ConsoleAuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresIn\n    user {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleAuthFieldsFragmentDoc,
    "\n  mutation ConsoleRefresh($input: RefreshInput!) {\n    refresh(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n": types.ConsoleRefreshDocument,
    "\n  mutation ConsoleSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n": types.ConsoleSignUpDocument,
    "\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n      ... on MfaChallenge {\n        challengeToken\n        methods\n        expiresAt\n      }\n    }\n  }\n": types.ConsoleLoginDocument,
    "\n  mutation ConsoleVerifyMfa($input: VerifyMfaInput!) {\n    verifyMfa(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n": types.ConsoleVerifyMfaDocument,
    "\n  mutation ConsoleSendMfaSms($challengeToken: String!) {\n    sendMfaSmsCode(challengeToken: $challengeToken)\n  }\n": types.ConsoleSendMfaSmsDocument,
    "\n  mutation ConsoleLogout {\n    logout\n  }\n": types.ConsoleLogoutDocument,
    "\n  query ConsoleMe {\n    me {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleMeDocument,
    "\n  mutation ConsoleVerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": types.ConsoleVerifyEmailDocument,
    "\n  mutation ConsoleRequestEmailVerification {\n    requestEmailVerification\n  }\n": types.ConsoleRequestEmailVerificationDocument,
    "\n  mutation ConsoleRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.ConsoleRequestPasswordResetDocument,
    "\n  mutation ConsoleResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.ConsoleResetPasswordDocument,
    "\n  mutation ConsoleUpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleUpdateProfileDocument,
    "\n  mutation ConsoleChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": types.ConsoleChangePasswordDocument,
    "\n  mutation ConsoleBeginTotp($password: String) {\n    beginTotpEnrollment(password: $password) {\n      secret\n      otpauthUri\n    }\n  }\n": types.ConsoleBeginTotpDocument,
    "\n  mutation ConsoleConfirmTotp($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n": types.ConsoleConfirmTotpDocument,
    "\n  mutation ConsoleRequestPhoneVerification($password: String) {\n    requestPhoneVerification(password: $password)\n  }\n": types.ConsoleRequestPhoneVerificationDocument,
    "\n  mutation ConsoleEnableSmsMfa($code: String!) {\n    enableSmsMfa(code: $code)\n  }\n": types.ConsoleEnableSmsMfaDocument,
    "\n  mutation ConsoleDisableMfa($password: String!, $code: String!) {\n    disableMfa(password: $password, code: $code)\n  }\n": types.ConsoleDisableMfaDocument,
    "\n  mutation ConsoleDeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n": types.ConsoleDeleteAccountDocument,
    "\n  query ConsoleMySessions {\n    mySessions {\n      id\n      deviceId\n      deviceName\n      userAgent\n      ipAddress\n      createdAt\n      lastUsedAt\n      current\n    }\n  }\n": types.ConsoleMySessionsDocument,
    "\n  mutation ConsoleRevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.ConsoleRevokeSessionDocument,
    "\n  mutation ConsoleRevokeOtherSessions {\n    revokeAllSessions(keepCurrent: true)\n  }\n": types.ConsoleRevokeOtherSessionsDocument,
    "\n  query ConsoleUsers($page: Int!, $pageSize: Int!, $filter: UserFilter) {\n    users(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        ...ConsoleUserFields\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n": types.ConsoleUsersDocument,
    "\n  mutation ConsoleLockUser($id: ID!, $reason: String) {\n    lockUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleLockUserDocument,
    "\n  mutation ConsoleUnlockUser($id: ID!) {\n    unlockUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleUnlockUserDocument,
    "\n  mutation ConsoleSuspendUser($id: ID!, $reason: String) {\n    suspendUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleSuspendUserDocument,
    "\n  mutation ConsoleReactivateUser($id: ID!) {\n    reactivateUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleReactivateUserDocument,
    "\n  mutation ConsoleSetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...ConsoleUserFields\n    }\n  }\n": types.ConsoleSetUserRoleDocument,
    "\n  query ConsoleAuditLog($page: Int!, $pageSize: Int!, $filter: AuditFilter) {\n    auditLog(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        id\n        sequence\n        type\n        occurredAt\n        data\n        actor {\n          id\n          username\n        }\n        subject {\n          id\n          username\n        }\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n": types.ConsoleAuditLogDocument,
    "\n  query ConsoleVerifyAuditLog {\n    verifyAuditLog {\n      valid\n      entriesChecked\n      entriesPending\n      firstBrokenSequence\n    }\n  }\n": types.ConsoleVerifyAuditLogDocument,
    "\n  fragment ConsolePasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n  }\n": types.ConsolePasskeyFieldsFragmentDoc,
    "\n  query ConsoleMyPasskeys {\n    myPasskeys {\n      ...ConsolePasskeyFields\n    }\n  }\n": types.ConsoleMyPasskeysDocument,
    "\n  mutation ConsoleBeginPasskeyRegistration($password: String) {\n    beginPasskeyRegistration(password: $password)\n  }\n": types.ConsoleBeginPasskeyRegistrationDocument,
    "\n  mutation ConsoleFinishPasskeyRegistration($response: JSONObject!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n": types.ConsoleFinishPasskeyRegistrationDocument,
    "\n  mutation ConsoleRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n": types.ConsoleRenamePasskeyDocument,
    "\n  mutation ConsoleRemovePasskey($id: ID!, $password: String) {\n    removePasskey(id: $id, password: $password)\n  }\n": types.ConsoleRemovePasskeyDocument,
    "\n  mutation ConsoleBeginPasskeyLogin($challengeToken: String) {\n    beginPasskeyLogin(challengeToken: $challengeToken)\n  }\n": types.ConsoleBeginPasskeyLoginDocument,
    "\n  mutation ConsoleFinishPasskeyLogin($response: JSONObject!, $deviceId: String!, $challengeToken: String) {\n    finishPasskeyLogin(response: $response, deviceId: $deviceId, challengeToken: $challengeToken) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n    }\n  }\n": types.ConsoleFinishPasskeyLoginDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleUserFields on User {\n    id\n    username\n    email\n    emailVerified\n    pendingEmail\n    phone\n    role\n    status\n    lockedUntil\n    mfaEnabled\n    mfaMethods\n    lastLoginAt\n    createdAt\n    wallet {\n      address\n      blockchain\n    }\n  }\n"): (typeof documents)["\n  fragment ConsoleUserFields on User {\n    id\n    username\n    email\n    emailVerified\n    pendingEmail\n    phone\n    role\n    status\n    lockedUntil\n    mfaEnabled\n    mfaMethods\n    lastLoginAt\n    createdAt\n    wallet {\n      address\n      blockchain\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleAuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresIn\n    user {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  fragment ConsoleAuthFields on AuthPayload {\n    accessToken\n    accessTokenExpiresIn\n    user {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRefresh($input: RefreshInput!) {\n    refresh(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRefresh($input: RefreshInput!) {\n    refresh(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n      ... on MfaChallenge {\n        challengeToken\n        methods\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleLogin($input: LoginInput!) {\n    login(input: $input) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n      ... on MfaChallenge {\n        challengeToken\n        methods\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleVerifyMfa($input: VerifyMfaInput!) {\n    verifyMfa(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleVerifyMfa($input: VerifyMfaInput!) {\n    verifyMfa(input: $input) {\n      ...ConsoleAuthFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSendMfaSms($challengeToken: String!) {\n    sendMfaSmsCode(challengeToken: $challengeToken)\n  }\n"): (typeof documents)["\n  mutation ConsoleSendMfaSms($challengeToken: String!) {\n    sendMfaSmsCode(challengeToken: $challengeToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogout {\n    logout\n  }\n"): (typeof documents)["\n  mutation ConsoleLogout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMe {\n    me {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  query ConsoleMe {\n    me {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleVerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"): (typeof documents)["\n  mutation ConsoleVerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRequestEmailVerification {\n    requestEmailVerification\n  }\n"): (typeof documents)["\n  mutation ConsoleRequestEmailVerification {\n    requestEmailVerification\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation ConsoleRequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ConsoleResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleUpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ConsoleChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleBeginTotp($password: String) {\n    beginTotpEnrollment(password: $password) {\n      secret\n      otpauthUri\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleBeginTotp($password: String) {\n    beginTotpEnrollment(password: $password) {\n      secret\n      otpauthUri\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleConfirmTotp($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n"): (typeof documents)["\n  mutation ConsoleConfirmTotp($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRequestPhoneVerification($password: String) {\n    requestPhoneVerification(password: $password)\n  }\n"): (typeof documents)["\n  mutation ConsoleRequestPhoneVerification($password: String) {\n    requestPhoneVerification(password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleEnableSmsMfa($code: String!) {\n    enableSmsMfa(code: $code)\n  }\n"): (typeof documents)["\n  mutation ConsoleEnableSmsMfa($code: String!) {\n    enableSmsMfa(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDisableMfa($password: String!, $code: String!) {\n    disableMfa(password: $password, code: $code)\n  }\n"): (typeof documents)["\n  mutation ConsoleDisableMfa($password: String!, $code: String!) {\n    disableMfa(password: $password, code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n"): (typeof documents)["\n  mutation ConsoleDeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMySessions {\n    mySessions {\n      id\n      deviceId\n      deviceName\n      userAgent\n      ipAddress\n      createdAt\n      lastUsedAt\n      current\n    }\n  }\n"): (typeof documents)["\n  query ConsoleMySessions {\n    mySessions {\n      id\n      deviceId\n      deviceName\n      userAgent\n      ipAddress\n      createdAt\n      lastUsedAt\n      current\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation ConsoleRevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRevokeOtherSessions {\n    revokeAllSessions(keepCurrent: true)\n  }\n"): (typeof documents)["\n  mutation ConsoleRevokeOtherSessions {\n    revokeAllSessions(keepCurrent: true)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleUsers($page: Int!, $pageSize: Int!, $filter: UserFilter) {\n    users(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        ...ConsoleUserFields\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n"): (typeof documents)["\n  query ConsoleUsers($page: Int!, $pageSize: Int!, $filter: UserFilter) {\n    users(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        ...ConsoleUserFields\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLockUser($id: ID!, $reason: String) {\n    lockUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleLockUser($id: ID!, $reason: String) {\n    lockUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUnlockUser($id: ID!) {\n    unlockUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleUnlockUser($id: ID!) {\n    unlockUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSuspendUser($id: ID!, $reason: String) {\n    suspendUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSuspendUser($id: ID!, $reason: String) {\n    suspendUser(id: $id, reason: $reason) {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleReactivateUser($id: ID!) {\n    reactivateUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleReactivateUser($id: ID!) {\n    reactivateUser(id: $id) {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...ConsoleUserFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...ConsoleUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAuditLog($page: Int!, $pageSize: Int!, $filter: AuditFilter) {\n    auditLog(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        id\n        sequence\n        type\n        occurredAt\n        data\n        actor {\n          id\n          username\n        }\n        subject {\n          id\n          username\n        }\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n"): (typeof documents)["\n  query ConsoleAuditLog($page: Int!, $pageSize: Int!, $filter: AuditFilter) {\n    auditLog(page: $page, pageSize: $pageSize, filter: $filter) {\n      items {\n        id\n        sequence\n        type\n        occurredAt\n        data\n        actor {\n          id\n          username\n        }\n        subject {\n          id\n          username\n        }\n      }\n      page\n      pageSize\n      totalItems\n      totalPages\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleVerifyAuditLog {\n    verifyAuditLog {\n      valid\n      entriesChecked\n      entriesPending\n      firstBrokenSequence\n    }\n  }\n"): (typeof documents)["\n  query ConsoleVerifyAuditLog {\n    verifyAuditLog {\n      valid\n      entriesChecked\n      entriesPending\n      firstBrokenSequence\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsolePasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n  }\n"): (typeof documents)["\n  fragment ConsolePasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMyPasskeys {\n    myPasskeys {\n      ...ConsolePasskeyFields\n    }\n  }\n"): (typeof documents)["\n  query ConsoleMyPasskeys {\n    myPasskeys {\n      ...ConsolePasskeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleBeginPasskeyRegistration($password: String) {\n    beginPasskeyRegistration(password: $password)\n  }\n"): (typeof documents)["\n  mutation ConsoleBeginPasskeyRegistration($password: String) {\n    beginPasskeyRegistration(password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleFinishPasskeyRegistration($response: JSONObject!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleFinishPasskeyRegistration($response: JSONObject!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRenamePasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      ...ConsolePasskeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRemovePasskey($id: ID!, $password: String) {\n    removePasskey(id: $id, password: $password)\n  }\n"): (typeof documents)["\n  mutation ConsoleRemovePasskey($id: ID!, $password: String) {\n    removePasskey(id: $id, password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleBeginPasskeyLogin($challengeToken: String) {\n    beginPasskeyLogin(challengeToken: $challengeToken)\n  }\n"): (typeof documents)["\n  mutation ConsoleBeginPasskeyLogin($challengeToken: String) {\n    beginPasskeyLogin(challengeToken: $challengeToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleFinishPasskeyLogin($response: JSONObject!, $deviceId: String!, $challengeToken: String) {\n    finishPasskeyLogin(response: $response, deviceId: $deviceId, challengeToken: $challengeToken) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleFinishPasskeyLogin($response: JSONObject!, $deviceId: String!, $challengeToken: String) {\n    finishPasskeyLogin(response: $response, deviceId: $deviceId, challengeToken: $challengeToken) {\n      __typename\n      ... on AuthPayload {\n        ...ConsoleAuthFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;