import { Registry } from 'prom-client';
import { createMetrics, registerAuditChainGauges } from '../../src/adapters/metrics/metrics';
import { scrapeGauges } from '../../src/adapters/metrics/scrape-gauges';
import { parseExposition, samplesOf, sampleValue } from '../support/metrics';

const scrape = async (registry: Registry) => parseExposition(await registry.metrics());

describe('audit chain gauges', () => {
  it('reads the backlog once per scrape and reports it', async () => {
    const registry = new Registry();
    let calls = 0;
    registerAuditChainGauges(registry, async () => {
      calls += 1;
      return { pending: 7, lagSeconds: 12.5 };
    });
    const samples = await scrape(registry);
    expect(sampleValue(samples, 'identity_audit_entries_pending')).toBe(7);
    expect(sampleValue(samples, 'identity_audit_chain_lag_seconds')).toBe(12.5);
    expect(sampleValue(samples, 'identity_metrics_source_up', { source: 'audit_chain' })).toBe(1);
    expect(calls).toBe(1);
    await scrape(registry);
    expect(calls).toBe(2);
  });

  it('leaves the gauges out of a scrape whose read fails, and reports them again once it succeeds', async () => {
    const registry = new Registry();
    let failing = true;
    registerAuditChainGauges(registry, async () => {
      if (failing) throw new Error('database unavailable');
      return { pending: 3, lagSeconds: 0.25 };
    });
    const down = await scrape(registry);
    expect(samplesOf(down, 'identity_audit_entries_pending')).toEqual([]);
    expect(samplesOf(down, 'identity_audit_chain_lag_seconds')).toEqual([]);
    expect(sampleValue(down, 'identity_metrics_source_up', { source: 'audit_chain' })).toBe(0);

    failing = false;
    const up = await scrape(registry);
    expect(sampleValue(up, 'identity_audit_entries_pending')).toBe(3);
    expect(sampleValue(up, 'identity_metrics_source_up', { source: 'audit_chain' })).toBe(1);

    failing = true;
    const downAgain = await scrape(registry);
    expect(samplesOf(downAgain, 'identity_audit_entries_pending')).toEqual([]);
  });
});

describe('scrape-time gauges', () => {
  it('give up on a read that does not answer in time, leaving the rest of the exposition', async () => {
    const registry = new Registry();
    scrapeGauges(
      registry,
      'stuck',
      { test_stuck_value: { help: 'never answers' } },
      () => new Promise<number>(() => {}),
      (v, g) => g.test_stuck_value.set(v),
      50,
    );
    scrapeGauges(
      registry,
      'fine',
      { test_fine_value: { help: 'answers' } },
      () => 42,
      (v, g) => g.test_fine_value.set(v),
    );
    const samples = await scrape(registry);
    expect(samplesOf(samples, 'test_stuck_value')).toEqual([]);
    expect(sampleValue(samples, 'test_fine_value')).toBe(42);
    expect(sampleValue(samples, 'identity_metrics_source_up', { source: 'stuck' })).toBe(0);
    expect(sampleValue(samples, 'identity_metrics_source_up', { source: 'fine' })).toBe(1);
  });

  it('survives a read that throws synchronously', async () => {
    const registry = new Registry();
    scrapeGauges(
      registry,
      'broken',
      { test_broken_value: { help: 'throws' } },
      (): number => {
        throw new Error('no pool');
      },
      (v, g) => g.test_broken_value.set(v),
    );
    const samples = await scrape(registry);
    expect(samplesOf(samples, 'test_broken_value')).toEqual([]);
    expect(sampleValue(samples, 'identity_metrics_source_up', { source: 'broken' })).toBe(0);
  });
});

describe('service metrics', () => {
  it('keeps each service’s counts on a registry of its own, with the Node.js metrics beside them', async () => {
    const one = createMetrics();
    const two = createMetrics();
    one.security.refreshTokenReused();
    one.graphqlRequest('me', 'ok', 0.004);
    const first = await scrape(one.registry);
    const second = await scrape(two.registry);
    expect(sampleValue(first, 'identity_refresh_token_reuse_total')).toBe(1);
    expect(sampleValue(second, 'identity_refresh_token_reuse_total')).toBe(0);
    expect(sampleValue(first, 'identity_graphql_requests_total', { operation: 'me', outcome: 'ok' })).toBe(1);
    expect(
      sampleValue(first, 'identity_graphql_request_duration_seconds_bucket', {
        operation: 'me',
        le: '0.005',
      }),
    ).toBe(1);
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'process_cpu_seconds_total',
    ])
      expect(samplesOf(first, name)).toHaveLength(1);
  });
});
