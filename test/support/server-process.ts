import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const MAIN = path.resolve(__dirname, '../../src/main.js');

/** The real server as a child process (`node dist/src/main.js`), so it can be SIGKILLed mid-send. */
export class ServerProcess {
  private readonly logListeners = new Set<(entry: Record<string, unknown>) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    private readonly exited: Promise<void>,
  ) {}

  /** Calls `listener` with each log entry the server prints from now on; returns a stop function. */
  onLog(listener: (entry: Record<string, unknown>) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  static async start(env: Record<string, string>): Promise<ServerProcess> {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listeners = new Set<(entry: Record<string, unknown>) => void>();
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          for (const listener of listeners) listener(entry);
          if (entry.msg === 'server ready' && entry.url) {
            clearTimeout(timer);
            resolve(entry.url.replace(/\/graphql$/, ''));
          }
        } catch {
          // not a log line
        }
      });
    });
    const server = new ServerProcess(child, url, exited);
    listeners.add((entry) => {
      for (const listener of server.logListeners) listener(entry);
    });
    return server;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

