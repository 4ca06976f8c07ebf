import { camelizeRow } from '../../platform/db/raw-rows';
import type { Contact } from './contact.entity';
import { contactEvent, ContactEventType } from './contact.events';
import { parse } from 'csv-parse/sync';
import { isEmail } from 'class-validator';
import { validationFailed } from '../../platform/errors';
import type { RequestContext } from '../../platform/graphql/request-context';
import { assertContactCapacity } from './contact-capacity';
import { ContactImportProblem, type ContactImportResult, type ContactImportRowError } from './contact-import.types';
import { normalizePhone, tenantDefaultCountry } from './phone-number';

export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 10_000;

interface CsvRow {
  line: number;
  name: string;
  phone: string;
  email: string;
}

interface Candidate {
  line: number;
  name: string;
  phone: string;
  rawPhone: string;
  email: string | null;
}

/**
 * CSV import (header name,phone,email). Every row is checked first; the valid ones are inserted
 * in one transaction, so an import is never half-written, and each bad row is reported with its
 * line and problem.
 */
export class ContactImportService {
  async import(ctx: RequestContext, csv: string): Promise<ContactImportResult> {
    if (Buffer.byteLength(csv, 'utf8') > MAX_IMPORT_BYTES) {
      throw validationFailed(`The CSV is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB; split it`, { field: 'csv', maxBytes: MAX_IMPORT_BYTES });
    }
    const rows = parseCsv(csv);
    const defaultCountry = await tenantDefaultCountry(await ctx.tenant().manager());
    const errors: ContactImportRowError[] = [];
    const candidates = new Map<string, Candidate>();
    for (const row of rows) {
      const problem = (kind: ContactImportProblem, message: string) => errors.push({ line: row.line, problem: kind, message, phone: row.phone || null });
      if (!row.name) problem(ContactImportProblem.MISSING_NAME, 'name is empty');
      else if (row.name.length > 200) problem(ContactImportProblem.NAME_TOO_LONG, 'name is longer than 200 characters');
      else if (!row.phone) problem(ContactImportProblem.MISSING_PHONE, 'phone is empty');
      else if (row.email && (row.email.length > 320 || !isEmail(row.email))) problem(ContactImportProblem.INVALID_EMAIL, `"${row.email}" is not an email address`);
      else {
        const phone = normalizePhone(row.phone, defaultCountry);
        const earlier = phone ? candidates.get(phone) : undefined;
        if (!phone) problem(ContactImportProblem.INVALID_PHONE, `"${row.phone}" is not a valid phone number`);
        else if (earlier) problem(ContactImportProblem.DUPLICATE_IN_FILE, `same phone as line ${earlier.line}`);
        else candidates.set(phone, { line: row.line, name: row.name, phone, rawPhone: row.phone, email: row.email ? row.email.toLowerCase() : null });
      }
    }

    let imported = 0;
    if (candidates.size > 0) {
      const inserted = await ctx.tenant().transaction(async ({ manager: transaction, record }) => {
        const phones = [...candidates.keys()];
        const existing: Array<{ phone: string }> = await transaction.query(
          'SELECT phone FROM contacts WHERE phone = ANY($1) AND deleted_at IS NULL',
          [phones],
        );
        const taken = new Set(existing.map((row) => row.phone));
        const fresh = [...candidates.values()].filter((candidate) => !taken.has(candidate.phone));
        await assertContactCapacity(ctx, transaction, fresh.length);
        // A contact created meanwhile by someone not holding the lock is skipped, not an error.
        const rows: Array<Record<string, unknown>> = await transaction.query(
          `INSERT INTO contacts (name, phone, email)
           SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[])
           ON CONFLICT (phone) WHERE deleted_at IS NULL DO NOTHING
           RETURNING *`,
          [fresh.map((c) => c.name), fresh.map((c) => c.phone), fresh.map((c) => c.email)],
        );
        const contacts = rows.map((row) => camelizeRow<Contact>(row));
        record(...contacts.map((contact) => contactEvent(ContactEventType.CREATED, contact)));
        return new Set(contacts.map((contact) => contact.phone));
      });
      imported = inserted.size;
      for (const candidate of candidates.values()) {
        if (!inserted.has(candidate.phone)) {
          errors.push({
            line: candidate.line,
            problem: ContactImportProblem.ALREADY_EXISTS,
            message: `a contact with phone ${candidate.phone} already exists`,
            phone: candidate.rawPhone,
          });
        }
      }
    }
    errors.sort((a, b) => a.line - b.line);
    return { imported, failed: errors.length, errors };
  }
}

/** Rows with the line each starts on; a file that is not CSV at all fails as a whole. */
function parseCsv(csv: string): CsvRow[] {
  // csv-parse counts lines by its detected record delimiter; one kind of line end keeps them right.
  const text = csv.replace(/\r\n?/g, '\n');
  let records: Array<{ record: Record<string, string | undefined>; raw: string; info: { lines: number } }>;
  let columns: string[] = [];
  try {
    records = parse(text, {
      columns: (header: string[]) => (columns = header.map((column) => column.trim().toLowerCase())),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      raw: true,
      to: MAX_IMPORT_ROWS + 1,
    });
  } catch (error) {
    const { message, lines } = error as { message: string; lines?: number };
    throw validationFailed(`The CSV could not be read: ${message}`, { field: 'csv', ...(lines ? { line: lines } : {}) });
  }
  if (!text.trim()) throw validationFailed('The CSV is empty', { field: 'csv' });
  const missing = ['name', 'phone'].filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw validationFailed(`The header must name the columns name,phone,email (missing: ${missing.join(', ')})`, { field: 'csv', missing });
  }
  if (records.length > MAX_IMPORT_ROWS) {
    throw validationFailed(`At most ${MAX_IMPORT_ROWS} rows per import; split the file`, { field: 'csv', maxRows: MAX_IMPORT_ROWS });
  }
  return records.map(({ record, raw, info }) => ({
    // info.lines is where the record ends; a quoted field may span lines.
    line: info.lines - (raw.trim().match(/\n/g)?.length ?? 0),
    name: record.name ?? '',
    phone: record.phone ?? '',
    email: record.email ?? '',
  }));
}
