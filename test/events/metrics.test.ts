import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { boundedLabel, createMetrics } from '../../src/events/metrics.js';
import { EventRecorder } from '../../src/events/recorder.js';
import type { EventSink } from '../../src/events/sink.js';
import { sampleEvent } from './sample-events.js';

const downSink: EventSink = {
  name: 'sqlite',
  write: async () => {
    throw new Error('disk is full');
  },
  close: async () => {},
};

describe('boundedLabel', () => {
  it('keeps allowed values and maps anything else to _other', () => {
    const allowed = new Set(['login', 'signup']);
    expect(boundedLabel('login', allowed)).toBe('login');
    expect(boundedLabel('/wp-admin.php', allowed)).toBe('_other');
  });
});

describe('createMetrics', () => {
  it('renders Prometheus text with bounded labels, on a registry of its own', async () => {
    const metrics = createMetrics({ flows: ['login', 'page'] });
    metrics.observeDecision(
      sampleEvent({ flow: 'login', action: 'block', enforced: true, status: 403, decisionMicros: 8 }),
    );
    metrics.observeDecision(
      sampleEvent({
        flow: 'attacker-chosen',
        action: 'allow',
        enforced: false,
        status: 200,
        upstreamStatus: 200,
        upstreamMs: 40,
      }),
    );
    metrics.observeDecision(sampleEvent({ flow: 'page', action: 'allow', status: 0 }));
    metrics.upstreamError('login', 'timeout');
    metrics.upstreamError('login', 'surprise' as never);
    metrics.storeError('redis');
    metrics.storeError('mongodb');
    metrics.setStoreDegraded(true);
    metrics.degradedDecision('nope');

    const { contentType, body } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE botgate_requests_total counter');
    expect(body).toContain('botgate_requests_total{flow="login",action="block",enforced="true"} 1');
    expect(body).toContain('botgate_requests_total{flow="_other",action="allow",enforced="false"} 1');
    expect(body).toContain('botgate_responses_total{code_class="4xx"} 1');
    expect(body).toContain('botgate_responses_total{code_class="2xx"} 1');
    expect(body).toContain('botgate_responses_total{code_class="_other"} 1');
    expect(body).toContain('botgate_decision_duration_seconds_bucket{le="0.00001",flow="login"} 1');
    expect(body).toContain('botgate_decision_duration_seconds_bucket{le="0.000005",flow="login"} 0');
    expect(body).toContain('botgate_upstream_duration_seconds_count{flow="_other"} 1');
    expect(body).toContain('botgate_upstream_errors_total{flow="login",kind="timeout"} 1');
    expect(body).toContain('botgate_upstream_errors_total{flow="login",kind="_other"} 1');
    expect(body).toContain('botgate_store_errors_total{store="redis"} 1');
    expect(body).toContain('botgate_store_errors_total{store="_other"} 1');
    expect(body).toContain('botgate_store_degraded 1');
    expect(body).toContain('botgate_degraded_decisions_total{flow="_other"} 1');
    expect(body).toMatch(/^botgate_process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^botgate_nodejs_eventloop_lag_seconds /m);
    expect(body).not.toContain('attacker-chosen');

    expect(await globalRegistry.metrics()).not.toContain('botgate_');
  });

  it('follows the policy after setFlows', async () => {
    const metrics = createMetrics({ flows: ['login'], processMetrics: false });
    metrics.setFlows(['checkout']);
    metrics.observeDecision(sampleEvent({ flow: 'checkout' }));
    metrics.observeDecision(sampleEvent({ flow: 'login' }));
    const { body } = await metrics.render();
    expect(body).toContain('botgate_requests_total{flow="checkout",action="block",enforced="true"} 1');
    expect(body).toContain('botgate_requests_total{flow="_other",action="block",enforced="true"} 1');
    expect(body).not.toContain('botgate_process_');
  });

  it("reads the recorder's sink counters on each scrape", async () => {
    const recorder = new EventRecorder({ ringSize: 10, maxBacklog: 2, sinks: [downSink], flushIntervalMs: 60_000 });
    const metrics = createMetrics({ processMetrics: false });
    metrics.watchEvents(recorder);
    for (let i = 0; i < 3; i++) recorder.record(sampleEvent());
    await recorder.flush();

    let { body } = await metrics.render();
    expect(body).toContain('botgate_events_recorded_total 3');
    expect(body).toContain('botgate_events_written_total{sink="sqlite"} 0');
    expect(body).toContain('botgate_events_dropped_total{sink="sqlite"} 1');
    expect(body).toContain('botgate_events_sink_failures_total{sink="sqlite"} 1');
    expect(body).toContain('botgate_events_backlog{sink="sqlite"} 2');

    await recorder.flush();
    ({ body } = await metrics.render());
    expect(body).toContain('botgate_events_sink_failures_total{sink="sqlite"} 2');
    await recorder.close();
  });
});
