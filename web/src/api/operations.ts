import { graphql } from '../gql';

/** Every operation the console sends, typed by GraphQL Code Generator from schema/schema.graphql. */

export const ConsoleUserFields = graphql(`
  fragment ConsoleUserFields on User {
    id
    username
    email
    emailVerified
    pendingEmail
    phone
    role
    status
    lockedUntil
    mfaEnabled
    mfaMethods
    lastLoginAt
    createdAt
    wallet {
      address
      blockchain
    }
  }
`);

export const ConsoleAuthFields = graphql(`
  fragment ConsoleAuthFields on AuthPayload {
    accessToken
    accessTokenExpiresIn
    user {
      ...ConsoleUserFields
    }
  }
`);

export const RefreshDoc = graphql(`
  mutation ConsoleRefresh($input: RefreshInput!) {
    refresh(input: $input) {
      ...ConsoleAuthFields
    }
  }
`);

export const SignUpDoc = graphql(`
  mutation ConsoleSignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...ConsoleAuthFields
    }
  }
`);

export const LoginDoc = graphql(`
  mutation ConsoleLogin($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on AuthPayload {
        ...ConsoleAuthFields
      }
      ... on MfaChallenge {
        challengeToken
        methods
        expiresAt
      }
    }
  }
`);

export const VerifyMfaDoc = graphql(`
  mutation ConsoleVerifyMfa($input: VerifyMfaInput!) {
    verifyMfa(input: $input) {
      ...ConsoleAuthFields
    }
  }
`);

export const SendMfaSmsDoc = graphql(`
  mutation ConsoleSendMfaSms($challengeToken: String!) {
    sendMfaSmsCode(challengeToken: $challengeToken)
  }
`);

export const LogoutDoc = graphql(`
  mutation ConsoleLogout {
    logout
  }
`);

export const MeDoc = graphql(`
  query ConsoleMe {
    me {
      ...ConsoleUserFields
    }
  }
`);

export const VerifyEmailDoc = graphql(`
  mutation ConsoleVerifyEmail($token: String!) {
    verifyEmail(token: $token)
  }
`);

export const RequestEmailVerificationDoc = graphql(`
  mutation ConsoleRequestEmailVerification {
    requestEmailVerification
  }
`);

export const RequestPasswordResetDoc = graphql(`
  mutation ConsoleRequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

export const ResetPasswordDoc = graphql(`
  mutation ConsoleResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

export const UpdateProfileDoc = graphql(`
  mutation ConsoleUpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      ...ConsoleUserFields
    }
  }
`);

export const ChangePasswordDoc = graphql(`
  mutation ConsoleChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export const BeginTotpDoc = graphql(`
  mutation ConsoleBeginTotp($password: String) {
    beginTotpEnrollment(password: $password) {
      secret
      otpauthUri
    }
  }
`);

export const ConfirmTotpDoc = graphql(`
  mutation ConsoleConfirmTotp($code: String!) {
    confirmTotpEnrollment(code: $code)
  }
`);

export const RequestPhoneVerificationDoc = graphql(`
  mutation ConsoleRequestPhoneVerification($password: String) {
    requestPhoneVerification(password: $password)
  }
`);

export const EnableSmsMfaDoc = graphql(`
  mutation ConsoleEnableSmsMfa($code: String!) {
    enableSmsMfa(code: $code)
  }
`);

export const DisableMfaDoc = graphql(`
  mutation ConsoleDisableMfa($password: String!, $code: String!) {
    disableMfa(password: $password, code: $code)
  }
`);

export const DeleteAccountDoc = graphql(`
  mutation ConsoleDeleteAccount($password: String!) {
    deleteAccount(password: $password)
  }
`);

export const MySessionsDoc = graphql(`
  query ConsoleMySessions {
    mySessions {
      id
      deviceId
      deviceName
      userAgent
      ipAddress
      createdAt
      lastUsedAt
      current
    }
  }
`);

export const RevokeSessionDoc = graphql(`
  mutation ConsoleRevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export const RevokeAllSessionsDoc = graphql(`
  mutation ConsoleRevokeOtherSessions {
    revokeAllSessions(keepCurrent: true)
  }
`);

export const UsersDoc = graphql(`
  query ConsoleUsers($page: Int!, $pageSize: Int!, $filter: UserFilter) {
    users(page: $page, pageSize: $pageSize, filter: $filter) {
      items {
        ...ConsoleUserFields
      }
      page
      pageSize
      totalItems
      totalPages
    }
  }
`);

export const LockUserDoc = graphql(`
  mutation ConsoleLockUser($id: ID!, $reason: String) {
    lockUser(id: $id, reason: $reason) {
      ...ConsoleUserFields
    }
  }
`);

export const UnlockUserDoc = graphql(`
  mutation ConsoleUnlockUser($id: ID!) {
    unlockUser(id: $id) {
      ...ConsoleUserFields
    }
  }
`);

export const SuspendUserDoc = graphql(`
  mutation ConsoleSuspendUser($id: ID!, $reason: String) {
    suspendUser(id: $id, reason: $reason) {
      ...ConsoleUserFields
    }
  }
`);

export const ReactivateUserDoc = graphql(`
  mutation ConsoleReactivateUser($id: ID!) {
    reactivateUser(id: $id) {
      ...ConsoleUserFields
    }
  }
`);

export const SetUserRoleDoc = graphql(`
  mutation ConsoleSetUserRole($id: ID!, $role: Role!) {
    setUserRole(id: $id, role: $role) {
      ...ConsoleUserFields
    }
  }
`);

export const AuditLogDoc = graphql(`
  query ConsoleAuditLog($page: Int!, $pageSize: Int!, $filter: AuditFilter) {
    auditLog(page: $page, pageSize: $pageSize, filter: $filter) {
      items {
        id
        sequence
        type
        occurredAt
        data
        actor {
          id
          username
        }
        subject {
          id
          username
        }
      }
      page
      pageSize
      totalItems
      totalPages
    }
  }
`);

export const VerifyAuditLogDoc = graphql(`
  query ConsoleVerifyAuditLog {
    verifyAuditLog {
      valid
      entriesChecked
      entriesPending
      firstBrokenSequence
    }
  }
`);
