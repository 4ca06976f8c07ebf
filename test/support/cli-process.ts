import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestApp } from './test-app';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Runs a compiled script (e.g. `dist/src/cli/list-tenants.js`) to completion. */
export function runNodeScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a CLI command against a test app's control database (same server, same name prefix). */
export function runCli(t: TestApp, command: string, args: string[] = [], env: Record<string, string> = {}, timeoutMs?: number): Promise<ProcessResult> {
  return runNodeScript(`dist/src/cli/${command}.js`, args, {
    DATABASE_URL: t.app.config.DATABASE_URL!,
    DB_NAME_PREFIX: t.prefix,
    TENANCY_MODE: t.app.config.TENANCY_MODE,
    ...env,
  }, timeoutMs);
}
