import { graphql } from '../gql';

export const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
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
