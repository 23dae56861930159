/**
 * A plan's request sequence without a network: each session acted out in turn on its own
 * virtual clock against the dry transport, then every request ordered by when it would be sent.
 * Two calls with the same scenario and seed return the same list; that is the simulator's
 * determinism, tested.
 */
import type { DemoUser } from '../src/demo/users.js';
import { VirtualClock } from './clock.js';
import { cookieJars } from './cookie-jar.js';
import { dryTransport } from './dry-transport.js';
import type { ScenarioPlan } from './plan.js';
import type { SentRequest } from './record.js';
import { Session } from './session.js';

export interface PlannedRequest {
  readonly at: number;
  readonly persona: string;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  readonly username: string | null;
}

export async function plannedRequests(plan: ScenarioPlan, users: readonly DemoUser[]): Promise<PlannedRequest[]> {
  const transport = dryTransport(users);
  const records: SentRequest[] = [];
  let admitted = 0;
  const jarFor = cookieJars();
  for (const planned of plan.sessions) {
    const session = new Session(
      {
        persona: planned.label,
        kind: planned.kind,
        index: planned.index,
        ip: planned.ip,
        identity: planned.identity,
        keepsCookies: planned.keepsCookies,
        jar: jarFor(planned.client),
        random: planned.random.fork('run'),
      },
      {
        transport,
        clock: new VirtualClock(planned.startMs),
        pace: plan.pace,
        admit: () => admitted++ < plan.scenario.maxRequests,
        record: (request) => records.push(request),
      },
    );
    await planned.run(session).catch(() => undefined);
  }
  return records
    .map(({ sentAt, persona, method, path, ip, username }) => ({
      at: Math.round(sentAt),
      persona,
      method,
      path,
      ip,
      username,
    }))
    .sort((a, b) => a.at - b.at);
}
