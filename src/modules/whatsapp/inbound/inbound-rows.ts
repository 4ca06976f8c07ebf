import { camelizeRow } from '../../../platform/db/raw-rows';
import { MESSAGE_COLUMNS, type Conversation, type Message } from '../../inbox/inbox.module';

/** The message columns the API shows (crm-core's list), as SQL: raw_payload can be large and stays put. */
export const MESSAGE_RETURNING = MESSAGE_COLUMNS.map((column) => column.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)).join(', ');

export function messageFromRow(row: Record<string, unknown>): Message {
  const message: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!key.startsWith('c_') && key !== 'fresh' && key !== 'known') message[key] = value;
  return camelizeRow<Message>(message);
}

export function conversationFromRow(row: Record<string, unknown>): Conversation {
  const conversation: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith('c_')) conversation[key.slice(2)] = value;
  return camelizeRow<Conversation>(conversation);
}
