import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouterFigures } from './tenancy/tenant-router';

/** Prometheus metrics: process defaults plus the tenant pool figures operators watch. */
export function createMetricsRegistry(figures: () => RouterFigures): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crm_' });
  const gauges: Array<[keyof RouterFigures, string]> = [
    ['liveDataSources', 'Tenant pools open (database mode: one per tenant; schema mode: one per server)'],
    ['connectionBudget', 'Connections this instance may open to tenant databases'],
    ['budgetSlotsInUse', 'Budget slots held by open pools'],
    ['connectionsOpen', 'Connections open in tenant pools'],
    ['connectionsInUse', 'Connections checked out of tenant pools'],
    ['activeLeases', 'Requests currently holding a tenant'],
    ['budgetWaits', 'Requests that had to wait for budget (total)'],
    ['budgetTimeouts', 'Requests refused after waiting for budget (total)'],
    ['opened', 'Tenant pools opened (total)'],
    ['evictions', 'Tenant pools closed for idleness or budget (total)'],
  ];
  for (const [key, help] of gauges) {
    new Gauge({
      name: `crm_tenancy_${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
      help,
      registers: [registry],
      collect() {
        this.set(figures()[key]);
      },
    });
  }
  return registry;
}
