/** What happened to one event: stored, already stored, deliberately skipped, or to be redelivered later. */
export type IngestResult = 'stored' | 'duplicate' | 'ignored' | 'retry';

export interface IngestOutcome {
  stored: number;
  duplicates: number;
  ignored: number;
  /** Events that could not be stored yet (e.g. an ack for a send whose id is not recorded yet): answer non-2xx. */
  retry: number;
}
