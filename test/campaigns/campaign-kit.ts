import type { EntityManager } from 'typeorm';
import type { TestApp } from '../support/test-app';

/** GraphQL documents and helpers the campaign tests share. */
export const CAMPAIGN_FIELDS = 'id status startedAt completedAt pausedReason messagesPerMinute stats { total pending queued sent delivered read replied failed skipped }';
export const CREATE = `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN_FIELDS} } }`;
export const UPDATE = `mutation ($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { ${CAMPAIGN_FIELDS} } }`;
export const SET_RECIPIENTS = `mutation ($id: ID!, $input: SetCampaignRecipientsInput!) { setCampaignRecipients(campaignId: $id, input: $input) { id recipientsTotal } }`;
export const START = `mutation ($id: ID!) { startCampaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
export const PAUSE = `mutation ($id: ID!) { pauseCampaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
export const RESUME = `mutation ($id: ID!) { resumeCampaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
export const CANCEL = `mutation ($id: ID!) { cancelCampaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
export const SCHEDULE = `mutation ($id: ID!, $at: DateTimeISO!) { scheduleCampaign(id: $id, scheduledAt: $at) { ${CAMPAIGN_FIELDS} } }`;
export const GET = `query ($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
export const PREVIEW = `query ($id: ID!, $contactId: ID!) { previewCampaign(id: $id, contactId: $contactId) { position body documentId } }`;

/** Inserts `count` contacts with distinct phones (prefix + index) and returns their ids and phones. */
export async function seedContacts(
  withTenant: (work: (manager: EntityManager) => Promise<unknown>) => Promise<unknown>,
  count: number,
  prefix: string,
): Promise<Array<{ id: string; phone: string; name: string }>> {
  const phones = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(15 - prefix.length, '0')}`);
  const names = phones.map((_, i) => (i % 5 === 0 ? phones[i] : `Customer ${i}`));
  return (await withTenant((manager) =>
    manager.query(`INSERT INTO contacts (name, phone) SELECT * FROM unnest($1::text[], $2::text[]) RETURNING id, phone, name`, [names, phones]),
  )) as Array<{ id: string; phone: string; name: string }>;
}

export const tenantOf = (t: TestApp, tenantId: string) => <T>(work: (manager: EntityManager) => Promise<T>) => t.app.platform.router.withTenant(tenantId, work);

/** A random 4-digit phone prefix for a test's contacts (after the country code 1). */
export function phonePrefix(): string {
  return `1${String(200 + Math.floor(Math.random() * 700))}${Math.floor(Math.random() * 10)}`;
}
