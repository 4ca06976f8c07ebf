import type { GraphQLTestClient } from './graphql-client';

export const MEMBER_PASSWORD = 'correct horse battery';

/**
 * Adds a member the only way there is: the admin's addMember invites the email, and the invitee
 * accepts with the token, setting their own password. Answers the new member's token (for the
 * inviting tenant) and user id.
 */
export async function inviteMember(
  client: GraphQLTestClient,
  adminToken: string,
  input: { email: string; role: string; name?: string; password?: string },
): Promise<{ token: string; userId: string; invitationId: string }> {
  const added = await client.data(
    `mutation ($input: AddMemberInput!) { addMember(input: $input) { status invitationToken invitation { id } } }`,
    { input: { email: input.email, role: input.role } },
    adminToken,
  );
  const accepted = await client.data(
    `mutation ($input: AcceptInvitationTokenInput!) { acceptInvitationToken(input: $input) { token user { id } } }`,
    { input: { token: added.addMember.invitationToken, password: input.password ?? MEMBER_PASSWORD, name: input.name ?? input.role } },
  );
  return { token: accepted.acceptInvitationToken.token, userId: accepted.acceptInvitationToken.user.id, invitationId: added.addMember.invitation.id };
}
