import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** What put() stored: the key to keep in the database, the content's hash and size. */
export interface StoredFile {
  key: string;
  sha256: string;
  sizeBytes: number;
  /** False when identical content was already stored under this namespace (content-addressed). */
  created: boolean;
}

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`File is larger than ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;
const KEY = /^([A-Za-z0-9_-]{1,64})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

/**
 * Files on local disk, content-addressed per namespace (a tenant id):
 * `<root>/<namespace>/<sha256[0..2]>/<sha256>`. Writes go to a temporary file that is fsynced and
 * renamed into place, so a reader never sees half a file and a crash leaves only a temp file.
 * Keys are validated before any path is built, so no key can leave the root.
 */
export class FileStorage {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, '.tmp');
  }

  /** Stores `content` (a buffer, or a stream such as a provider download) and returns its key. */
  async put(namespace: string, content: Buffer | AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<StoredFile> {
    if (!NAMESPACE.test(namespace)) throw new Error(`Invalid storage namespace ${JSON.stringify(namespace)}`);
    await fsp.mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${crypto.randomUUID()}.part`);
    const hash = crypto.createHash('sha256');
    let sizeBytes = 0;
    const handle = await fsp.open(tmp, 'wx', 0o600);
    try {
      const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = Buffer.isBuffer(content) ? [content] : content;
      for await (const chunk of chunks) {
        sizeBytes += chunk.length;
        if (options.maxBytes !== undefined && sizeBytes > options.maxBytes) throw new FileTooLargeError(options.maxBytes);
        hash.update(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw error;
    }
    await handle.close();

    const sha256 = hash.digest('hex');
    const key = `${namespace}/${sha256.slice(0, 2)}/${sha256}`;
    const target = this.pathOf(key);
    const existed = await exists(target);
    if (existed) {
      await fsp.rm(tmp, { force: true });
    } else {
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(tmp, target);
    }
    return { key, sha256, sizeBytes, created: !existed };
  }

  /** A stream of the file and its size, or null when it is not there. */
  async open(key: string): Promise<{ stream: fs.ReadStream; sizeBytes: number } | null> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const { size } = await handle.stat();
    return { stream: handle.createReadStream(), sizeBytes: size };
  }

  /** The whole file, or null when it is not there. */
  async get(key: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Removes the file; true if it existed. Callers check first that no record still uses the key. */
  async delete(key: string): Promise<boolean> {
    try {
      await fsp.unlink(this.pathOf(key));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Absolute path of a key; throws for anything that is not a key put() could have returned. */
  pathOf(key: string): string {
    const match = KEY.exec(key);
    if (!match) throw new Error(`Invalid storage key ${JSON.stringify(key)}`);
    return path.join(this.root, match[1], match[2], match[3]);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
