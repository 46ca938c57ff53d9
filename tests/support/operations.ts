import { graphql } from '../gql';

export const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    deviceTrustToken
    refreshToken
    refreshTokenExpiresAt
    user { id username email role status }
    session { id deviceId deviceName current createdAt lastUsedAt expiresAt }
  }
`);

export const RegisterDoc = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      id username email phone role status
      wallet { address blockchain }
      mfaEnabled mfaMethods lastLoginAt createdAt updatedAt
    }
  }
`);

export const LoginDoc = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on AuthPayload { ...AuthFields }
      ... on MfaChallenge { challengeToken methods expiresAt }
    }
  }
`);

export const RefreshDoc = graphql(`
  mutation Refresh($input: RefreshInput!) {
    refresh(input: $input) { ...AuthFields }
  }
`);

export const MeDoc = graphql(`
  query Me {
    me { id username email phone role status mfaEnabled mfaMethods lastLoginAt createdAt updatedAt wallet { address blockchain } }
  }
`);

export const LogoutDoc = graphql(`
  mutation Logout {
    logout
  }
`);

export const MySessionsDoc = graphql(`
  query MySessions {
    mySessions { id deviceId deviceName current createdAt lastUsedAt expiresAt }
  }
`);

export const RevokeSessionDoc = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export const RevokeAllSessionsDoc = graphql(`
  mutation RevokeAllSessions($keepCurrent: Boolean) {
    revokeAllSessions(keepCurrent: $keepCurrent)
  }
`);

export const UpdateProfileDoc = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) { id username phone wallet { address blockchain } }
  }
`);

export const ChangePasswordDoc = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export const DeleteAccountDoc = graphql(`
  mutation DeleteAccount($password: String!) {
    deleteAccount(password: $password)
  }
`);

export const UserDoc = graphql(`
  query User($id: ID!) {
    user(id: $id) { id username email status role }
  }
`);

export const UsersDoc = graphql(`
  query Users($page: Int, $pageSize: Int, $filter: UserFilter) {
    users(page: $page, pageSize: $pageSize, filter: $filter) {
      items { id username email status role }
      page pageSize totalItems totalPages
    }
  }
`);

export const LockUserDoc = graphql(`
  mutation LockUser($id: ID!, $reason: String) { lockUser(id: $id, reason: $reason) { id status } }
`);
export const UnlockUserDoc = graphql(`
  mutation UnlockUser($id: ID!) { unlockUser(id: $id) { id status } }
`);
export const SuspendUserDoc = graphql(`
  mutation SuspendUser($id: ID!, $reason: String) { suspendUser(id: $id, reason: $reason) { id status } }
`);
export const ReactivateUserDoc = graphql(`
  mutation ReactivateUser($id: ID!) { reactivateUser(id: $id) { id status } }
`);
export const SetUserRoleDoc = graphql(`
  mutation SetUserRole($id: ID!, $role: Role!) { setUserRole(id: $id, role: $role) { id role } }
`);

export const AuditLogDoc = graphql(`
  query AuditLog($page: Int, $pageSize: Int, $filter: AuditFilter) {
    auditLog(page: $page, pageSize: $pageSize, filter: $filter) {
      items { id sequence type occurredAt data hash actor { id username } subject { id username } }
      page pageSize totalItems totalPages
    }
  }
`);

export const VerifyAuditLogDoc = graphql(`
  query VerifyAuditLog {
    verifyAuditLog { valid entriesChecked firstBrokenSequence entriesPending }
  }
`);

export const BeginTotpDoc = graphql(`
  mutation BeginTotp($password: String) { beginTotpEnrollment(password: $password) { secret otpauthUri } }
`);
export const ConfirmTotpDoc = graphql(`
  mutation ConfirmTotp($code: String!) { confirmTotpEnrollment(code: $code) }
`);
export const VerifyMfaDoc = graphql(`
  mutation VerifyMfa($input: VerifyMfaInput!) { verifyMfa(input: $input) { ...AuthFields } }
`);
export const SendMfaSmsCodeDoc = graphql(`
  mutation SendMfaSmsCode($challengeToken: String!) { sendMfaSmsCode(challengeToken: $challengeToken) }
`);
export const RequestPhoneVerificationDoc = graphql(`
  mutation RequestPhoneVerification($password: String) { requestPhoneVerification(password: $password) }
`);
export const EnableSmsMfaDoc = graphql(`
  mutation EnableSmsMfa($code: String!) { enableSmsMfa(code: $code) }
`);
export const DisableMfaDoc = graphql(`
  mutation DisableMfa($password: String!, $code: String!) { disableMfa(password: $password, code: $code) }
`);
