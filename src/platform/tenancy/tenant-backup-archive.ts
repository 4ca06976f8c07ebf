import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AppError, ErrorCode } from '../errors';
import type { SequenceState, TableLayout, TenantDataLayout } from './tenant-data-copy';

const FORMAT = 'whatsapp-crm-tenant-backup';
const FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';

/** A file kept outside the database (media), by its storage key. */
export interface BackupFile {
  key: string;
  file: string;
  sha256: string;
  sizeBytes: number;
}

export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  tenantId: string;
  tenantName: string;
  /** The newest tenant migration the data was shaped by. */
  schemaVersion: string;
  createdAt: string;
  tables: Array<TableLayout & { file: string; rows: number; sha256: string }>;
  sequences: SequenceState[];
  files: BackupFile[];
}

const invalid = (message: string) => new AppError(ErrorCode.BACKUP_INVALID, message);

/**
 * A tenant backup is a folder: one gzipped `COPY` text file per table, the tenant's media files,
 * and `manifest.json` with the schema version, row counts and SHA-256 of every file. The
 * manifest is written last, so a folder without one is an interrupted backup. Text COPY and
 * migrations (not DDL) make it readable by any later release on any Postgres version.
 */
export class BackupWriter {
  private readonly tables: BackupManifest['tables'] = [];
  private readonly files: BackupFile[] = [];

  private constructor(readonly dir: string) {}

  /** Creates the folder, which must not exist yet or be empty. */
  static async create(dir: string): Promise<BackupWriter> {
    await fsp.mkdir(dir, { recursive: true });
    if ((await fsp.readdir(dir)).length > 0) throw invalid(`The backup folder ${dir} is not empty`);
    await fsp.mkdir(path.join(dir, 'tables'));
    await fsp.mkdir(path.join(dir, 'files'));
    return new BackupWriter(dir);
  }

  /** Writes one table's COPY stream; `rows` is read once the stream has ended. */
  async addTable(table: TableLayout, data: Readable & { rowCount?: number }): Promise<void> {
    const file = `tables/${table.name}.copy.gz`;
    const sha256 = await writeHashed(path.join(this.dir, file), data, zlib.createGzip());
    this.tables.push({ ...table, file, rows: data.rowCount ?? 0, sha256 });
  }

  async addFile(key: string, data: Readable): Promise<void> {
    const file = `files/${this.files.length}`;
    const target = path.join(this.dir, file);
    const sha256 = await writeHashed(target, data);
    this.files.push({ key, file, sha256, sizeBytes: (await fsp.stat(target)).size });
  }

  /** Removes what was written (a failed backup). */
  async discard(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
  }

  async finish(header: Pick<BackupManifest, 'tenantId' | 'tenantName' | 'schemaVersion'>, layout: TenantDataLayout): Promise<BackupManifest> {
    const manifest: BackupManifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      ...header,
      createdAt: new Date().toISOString(),
      tables: this.tables,
      sequences: layout.sequences,
      files: this.files,
    };
    const tmp = path.join(this.dir, `${MANIFEST}.part`);
    await fsp.writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await fsp.rename(tmp, path.join(this.dir, MANIFEST));
    return manifest;
  }
}

/**
 * Opens a backup folder and checks it whole before anything is restored: the manifest's shape
 * and every file's SHA-256. A corrupt or truncated backup fails here, with BACKUP_INVALID.
 */
export async function openBackup(dir: string): Promise<BackupManifest & { open(file: string): Readable }> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await fsp.readFile(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it has no manifest.json (an interrupted backup?)' : (error as Error).message;
    throw invalid(`${dir} is not a complete tenant backup: ${reason}`);
  }
  if (manifest?.format !== FORMAT || manifest.formatVersion !== FORMAT_VERSION) {
    throw invalid(`${dir} is not a tenant backup of a format this release reads`);
  }
  if (!/^\d{13}$/.test(String(manifest.schemaVersion)) || !Array.isArray(manifest.tables) || !Array.isArray(manifest.files) || !Array.isArray(manifest.sequences)) {
    throw invalid(`The manifest of ${dir} is malformed`);
  }
  const resolve = (file: unknown) => {
    if (typeof file !== 'string' || !/^(tables\/[a-z0-9_]+\.copy\.gz|files\/\d+)$/.test(file)) throw invalid(`The manifest names an unexpected file ${JSON.stringify(file)}`);
    return path.join(dir, file);
  };
  for (const entry of [...manifest.tables, ...manifest.files]) {
    const actual = await hashFile(resolve(entry.file)).catch(() => null);
    if (actual !== entry.sha256) throw invalid(`${entry.file} in ${dir} is missing or damaged (its SHA-256 does not match the manifest)`);
  }
  return {
    ...manifest,
    open: (file) => {
      const source = fs.createReadStream(resolve(file));
      if (!file.endsWith('.gz')) return source;
      const gunzip = zlib.createGunzip();
      source.on('error', (error) => gunzip.destroy(error));
      return source.pipe(gunzip);
    },
  };
}

/** Writes `data` (through `transforms`) to a new file; resolves to the SHA-256 of what was written. */
async function writeHashed(file: string, data: Readable, ...transforms: NodeJS.ReadWriteStream[]): Promise<string> {
  const hash = crypto.createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline([data, ...transforms, tap, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 })]);
  return hash.digest('hex');
}

async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
