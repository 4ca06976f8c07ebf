import fs from 'node:fs';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere for a local run. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, no sandbox (CI runs as root in a container), and nothing the browser would fetch or
 * do in the background on its own. Playwright adds a fresh --user-data-dir per launch.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long a browser-side wait may take before the test fails (DOM conditions, never sleeps). */
export const BROWSER_TIMEOUT_MS = Number(process.env.BROWSER_TIMEOUT_MS ?? 10_000);

const USER_AGENT_PREFIX = 'crm-browser-test/';

/** What the web inbox keeps in localStorage (see /work/briefs/web-contract.md and graphql-explorer.ts). */
export interface BrowserSession {
  token: string;
  tenantId?: string;
  /** More localStorage entries, e.g. GraphiQL's stored query (`graphiql:query`). */
  localStorage?: Record<string, string>;
}

interface TrackedPage {
  label: string;
  page: Page;
  errors: string[];
}

/**
 * One chromium per test file; a browser context (own cookies and storage) per agent. When a test
 * wrapped in `capture()` fails, every open page is screenshotted (with its HTML and the page's
 * console errors) into a temp folder whose path is added to the failure message.
 */
export class TestBrowser {
  private readonly pages: TrackedPage[] = [];
  private readonly contexts: BrowserContext[] = [];

  private constructor(readonly browser: Browser) {}

  /** Starts chromium (it can start while the test app boots: pages get full URLs). */
  static async launch(): Promise<TestBrowser> {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      // Failing, not skipping: a CI without a browser must not pass the browser tests silently.
      throw new Error(
        `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with ` +
          '`apt-get update && apt-get install -y chromium` (.ci/run does so when run as root), or set CHROMIUM_PATH.',
      );
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    return new TestBrowser(browser);
  }

  /**
   * A new context signed in as `session` (token in localStorage before any script runs) with one
   * page open at `url`. `label` names its screenshots and its user agent.
   */
  async open(label: string, url: string, session?: BrowserSession): Promise<Page> {
    const origin = new URL(url).origin;
    const storage: Record<string, string> = {
      ...(session ? { 'crm.token': session.token } : {}),
      ...(session?.tenantId ? { 'crm.tenantId': session.tenantId } : {}),
      ...(session?.localStorage ?? {}),
    };
    const context = await this.browser.newContext({
      // Names the agent in every request, WebSocket upgrades included (see WebSocketTap).
      userAgent: `${USER_AGENT_PREFIX}${label}`,
      storageState: { cookies: [], origins: [{ origin, localStorage: Object.entries(storage).map(([name, value]) => ({ name, value })) }] },
    });
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    this.contexts.push(context);
    const page = await context.newPage();
    this.track(label, page);
    await page.goto(url);
    return page;
  }

  /** Adds a page opened otherwise (a link's new tab, say) to what failures screenshot. */
  track(label: string, page: Page): void {
    const tracked: TrackedPage = { label, page, errors: [] };
    page.on('pageerror', (error) => tracked.errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') tracked.errors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) tracked.errors.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    });
    this.pages.push(tracked);
  }

  /** Runs a test body; on failure adds screenshots (path in the message) and page errors to the error. */
  async capture(testName: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      const report = await this.snapshot(testName);
      if (error instanceof Error) {
        error.message = `${error.message}\n${report}`;
        throw error;
      }
      throw new Error(`${String(error)}\n${report}`);
    }
  }

  /** Screenshots and HTML of every open page into a new temp folder; answers a description. */
  async snapshot(testName: string): Promise<string> {
    const slug = testName.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60) || 'test';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `browser-${slug}-`));
    const lines = [`Browser screenshots: ${dir}`];
    for (const [index, { label, page, errors }] of this.pages.entries()) {
      if (page.isClosed()) continue;
      const base = path.join(dir, `${index}-${label.replace(/[^a-z0-9]+/gi, '-')}`);
      await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000 }).catch((e: Error) => lines.push(`  ${label}: no screenshot (${e.message})`));
      await page
        .content()
        .then((html) => fs.writeFileSync(`${base}.html`, html))
        .catch(() => undefined);
      lines.push(`  ${label}: ${page.url()}${errors.length ? `\n    ${errors.slice(-10).join('\n    ')}` : ''}`);
    }
    return lines.join('\n');
  }

  /** Closes every context (and their pages) opened so far, keeping the browser. */
  async closeContexts(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((context) => context.close().catch(() => undefined)));
    this.pages.splice(0);
  }

  async close(): Promise<void> {
    await this.closeContexts();
    await this.browser.close();
  }
}

/**
 * Sees the WebSocket upgrades the server gets and can cut them like a network drop (the browser
 * gets close code 1006). Each browser context's user agent names its agent (TestBrowser.open).
 */
export class WebSocketTap {
  private readonly sockets: Array<{ agent: string; socket: Duplex }> = [];
  private readonly onUpgrade = (request: http.IncomingMessage, socket: Duplex) => {
    const agent = String(request.headers['user-agent'] ?? '');
    const entry = { agent: agent.startsWith(USER_AGENT_PREFIX) ? agent.slice(USER_AGENT_PREFIX.length) : agent, socket };
    this.sockets.push(entry);
    socket.once('close', () => this.sockets.splice(this.sockets.indexOf(entry), 1));
  };

  constructor(private readonly server: http.Server) {
    server.on('upgrade', this.onUpgrade);
  }

  /** Open WebSockets of the agent labelled `label`. */
  count(label: string): number {
    return this.sockets.filter((entry) => entry.agent === label).length;
  }

  /** Destroys the agent's open WebSockets; answers how many there were. */
  drop(label: string): number {
    const mine = this.sockets.filter((entry) => entry.agent === label);
    for (const { socket } of mine) socket.destroy();
    return mine.length;
  }

  close(): void {
    this.server.off('upgrade', this.onUpgrade);
  }
}
