import fsp from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { TenantStatus } from '../control/tenant.entity';
import { BackupWriter, openBackup } from './tenant-backup-archive';
import { exportTable, importTenantData, readLayout, recordedSchemaVersion } from './tenant-data-copy';
import type { RelocationResult, TenantRelocation } from './tenant-relocation';

const FORMAT = 'whatsapp-crm-platform-backup';
const MANIFEST = 'manifest.json';
const CONTROL_DIR = 'control';
/** Folder names of whole-platform backups: sortable by time. */
const BACKUP_NAME = /^platform-\d{8}T\d{6}Z(-\d+)?$/;

/** Tenants whose data a backup can read (a FAILED or PROVISIONING tenant has none yet). */
const BACKED_UP = [TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.MAINTENANCE];

export interface PlatformBackupManifest {
  format: typeof FORMAT;
  formatVersion: 1;
  startedAt: string;
  finishedAt: string;
  /** Control database: its backup folder (relative) and the control migration it was shaped by. */
  control: { dir: string; schemaVersion: string | null; rows: number };
  tenants: Array<{ id: string; slug: string; status: string; dir: string | null; rows: number; error: string | null }>;
  /** Every tenant that could be backed up was. */
  complete: boolean;
}

export type BackupProgress = (event: { done: number; total: number; slug: string; ok: boolean; error?: string }) => void;

/**
 * Backups of the whole platform: the control database (tenants, placements, users, memberships,
 * API keys, channel routes, plans) and every tenant, each in the tenant backup format, under one
 * folder with a manifest written last. Retention keeps the newest N complete backups.
 */
export class PlatformBackup {
  constructor(
    private readonly deps: {
      control: DataSource;
      controlUrl: string;
      relocation: TenantRelocation;
      log: Logger;
    },
  ) {}

  /** Writes `root/platform-<time>/`; tenants `concurrency` at a time. */
  async backupAll(root: string, options: { concurrency: number; onProgress?: BackupProgress }): Promise<{ dir: string; manifest: PlatformBackupManifest }> {
    const startedAt = new Date();
    const dir = await this.newFolder(root, startedAt);
    const control = await this.backupControl(path.join(dir, CONTROL_DIR));
    const tenants: Array<{ id: string; slug: string; status: string }> = await this.deps.control.query(
      `SELECT id, slug, status FROM tenants WHERE status = ANY ($1) ORDER BY slug`,
      [BACKED_UP],
    );
    const results: PlatformBackupManifest['tenants'] = [];
    let done = 0;
    const queue = [...tenants];
    const worker = async () => {
      for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
        const relative = path.join('tenants', tenant.id);
        try {
          const manifest = await this.deps.relocation.backup(tenant.id, path.join(dir, relative));
          results.push({ ...tenant, dir: relative, rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0), error: null });
          options.onProgress?.({ done: ++done, total: tenants.length, slug: tenant.slug, ok: true });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.deps.log.warn({ err: error, tenantId: tenant.id }, 'a tenant could not be backed up; the others go on');
          results.push({ ...tenant, dir: null, rows: 0, error: message });
          options.onProgress?.({ done: ++done, total: tenants.length, slug: tenant.slug, ok: false, error: message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    results.sort((a, b) => a.slug.localeCompare(b.slug));
    const manifest: PlatformBackupManifest = {
      format: FORMAT,
      formatVersion: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      control,
      tenants: results,
      complete: results.every((tenant) => tenant.error === null),
    };
    await fsp.writeFile(path.join(dir, `${MANIFEST}.part`), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await fsp.rename(path.join(dir, `${MANIFEST}.part`), path.join(dir, MANIFEST));
    return { dir, manifest };
  }

  /**
   * Keeps the newest `keep` complete backups under `root` and removes older ones (complete or
   * not); a backup newer than the oldest one kept is never removed. Returns the removed folders.
   */
  async prune(root: string, keep: number): Promise<string[]> {
    const names = (await fsp.readdir(root).catch(() => [] as string[])).filter((name) => BACKUP_NAME.test(name)).sort().reverse();
    const removed: string[] = [];
    let kept = 0;
    for (const name of names) {
      const manifest = await readManifest(path.join(root, name)).catch(() => null);
      if (kept < keep) {
        if (manifest?.complete) kept += 1;
        continue;
      }
      await fsp.rm(path.join(root, name), { recursive: true, force: true });
      removed.push(path.join(root, name));
    }
    return removed;
  }

  /**
   * Fills the (freshly migrated, tenant-less) control database from a platform backup's control
   * part, in one transaction. Refuses a control database that already has tenants.
   */
  async restoreControl(dir: string, options: { force?: boolean } = {}): Promise<{ rows: number }> {
    const manifest = await readManifest(dir);
    const backup = await openBackup(path.join(dir, manifest.control.dir));
    const [{ tenants }] = await this.deps.control.query('SELECT count(*)::int AS tenants FROM tenants');
    if (tenants > 0 && !options.force) {
      throw new AppError(ErrorCode.CONFLICT, `The control database already has ${tenants} tenants; restore into an empty one (or pass --force to replace them)`);
    }
    const client = new Client({ connectionString: this.deps.controlUrl });
    await client.connect();
    try {
      const version = await recordedSchemaVersion(client);
      if (backup.schemaVersion && version && backup.schemaVersion > version) {
        throw new AppError(ErrorCode.BACKUP_INVALID, `The backup's control schema (${backup.schemaVersion}) is newer than this release's (${version})`);
      }
      const rows = Object.fromEntries(backup.tables.map((table) => [table.name, table.rows]));
      const counts = await importTenantData(client, { tables: backup.tables, sequences: backup.sequences, rows }, (table) =>
        backup.open(backup.tables.find((entry) => entry.name === table.name)!.file),
      );
      return { rows: Object.values(counts).reduce((sum, count) => sum + count, 0) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Restores every tenant a platform backup holds (after restoreControl), `concurrency` at a time. */
  async restoreTenants(
    dir: string,
    options: { concurrency: number; onProgress?: BackupProgress },
  ): Promise<Array<{ id: string; slug: string; result?: RelocationResult; error?: string }>> {
    const manifest = await readManifest(dir);
    const tenants = manifest.tenants.filter((tenant) => tenant.dir !== null);
    const results: Array<{ id: string; slug: string; result?: RelocationResult; error?: string }> = [];
    let done = 0;
    const queue = [...tenants];
    const worker = async () => {
      for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
        try {
          // The old location is gone (or stale): drop it when it exists.
          const result = await this.deps.relocation.restore(tenant.id, path.join(dir, tenant.dir!), { dropOld: true });
          results.push({ id: tenant.id, slug: tenant.slug, result });
          options.onProgress?.({ done: ++done, total: tenants.length, slug: tenant.slug, ok: true });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          results.push({ id: tenant.id, slug: tenant.slug, error: message });
          options.onProgress?.({ done: ++done, total: tenants.length, slug: tenant.slug, ok: false, error: message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    return results;
  }

  private async backupControl(dir: string): Promise<PlatformBackupManifest['control']> {
    const writer = await BackupWriter.create(dir);
    const client = new Client({ connectionString: this.deps.controlUrl });
    await client.connect();
    let finished = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const schemaVersion = await recordedSchemaVersion(client);
      const layout = await readLayout(client);
      for (const table of layout.tables) await writer.addTable(table, exportTable(client, table));
      await client.query('COMMIT');
      const manifest = await writer.finish({ tenantId: 'control', tenantName: 'control database', schemaVersion: schemaVersion ?? '' }, layout);
      finished = true;
      return { dir: CONTROL_DIR, schemaVersion, rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0) };
    } finally {
      await client.end().catch(() => undefined);
      if (!finished) await writer.discard();
    }
  }

  private async newFolder(root: string, at: Date): Promise<string> {
    const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    await fsp.mkdir(root, { recursive: true });
    for (let attempt = 0; ; attempt += 1) {
      const dir = path.join(root, `platform-${stamp}${attempt ? `-${attempt}` : ''}`);
      try {
        await fsp.mkdir(dir);
        return dir;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw error;
      }
    }
  }
}

/** The manifest of a whole-platform backup folder; BACKUP_INVALID when it is missing or not one. */
export async function readManifest(dir: string): Promise<PlatformBackupManifest> {
  let manifest: PlatformBackupManifest;
  try {
    manifest = JSON.parse(await fsp.readFile(path.join(dir, MANIFEST), 'utf8'));
  } catch {
    throw new AppError(ErrorCode.BACKUP_INVALID, `${dir} has no readable ${MANIFEST}: not a finished platform backup`);
  }
  if (manifest.format !== FORMAT || !manifest.control || !Array.isArray(manifest.tenants)) {
    throw new AppError(ErrorCode.BACKUP_INVALID, `${dir} is not a platform backup`);
  }
  for (const tenant of manifest.tenants) {
    if (tenant.dir !== null && (path.isAbsolute(tenant.dir) || tenant.dir.split(/[\\/]/).includes('..'))) {
      throw new AppError(ErrorCode.BACKUP_INVALID, `The manifest names a folder outside the backup: ${tenant.dir}`);
    }
  }
  if (path.isAbsolute(manifest.control.dir) || manifest.control.dir.split(/[\\/]/).includes('..')) {
    throw new AppError(ErrorCode.BACKUP_INVALID, 'The manifest names a control folder outside the backup');
  }
  return manifest;
}
