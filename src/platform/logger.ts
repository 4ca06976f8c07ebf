import pino, { type Logger } from 'pino';

export type { Logger };

/** One structured JSON logger; children carry requestId / tenantId so every line can be traced. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'whatsapp-crm', ...bindings } };
  return destination ? pino(options, destination) : pino(options);
}
