import { describe, expect, it } from 'vitest';
import { emfCounters, emfLine } from '../../../shared/adapters/metrics/emf-counters.js';

describe('emfCounters', () => {
  it('writes the embedded-metric-format line Powertools singleMetric() wrote, one per count', () => {
    const lines: string[] = [];
    emfCounters((line) => lines.push(line)).count('rate_limit_allow', {
      route: 'health',
      policy: 'fw-5-per-60s',
    });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '{}');
    expect(parsed).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'Bulwark',
            Dimensions: [['service', 'route', 'policy']],
            Metrics: [{ Name: 'rate_limit_allow', Unit: 'Count' }],
          },
        ],
      },
      service: 'bulwark',
      route: 'health',
      policy: 'fw-5-per-60s',
      rate_limit_allow: 1,
    });
  });

  it('carries another value and unit when asked (the probe latency)', () => {
    const parsed = JSON.parse(emfLine('HealthFullLatency', { probe: 'health-full' }, 5, 42, 'Milliseconds'));
    expect(parsed._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'HealthFullLatency', Unit: 'Milliseconds' },
    ]);
    expect(parsed).toMatchObject({ service: 'bulwark', probe: 'health-full', HealthFullLatency: 42 });
    expect(parsed._aws.Timestamp).toBe(5);
  });
});
