/**
 * Policy reloads across the fleet. The semantics, for an operator (docs/deployment.md):
 * - A node that reloads its policy (SIGHUP) publishes the reloadable part of it (everything but
 *   the restart-only settings, which are per node and never leave it: no secret, no token).
 *   Redis assigns it the next version number (INCR): the newest version wins.
 * - Every other node checks it as a whole against its own restart-only settings, exactly like a
 *   policy file, and swaps it in; one that fails the checks is refused and logged, and that node
 *   keeps its policy. Either way the node counts the version as seen.
 * - A node that starts, or comes back after Redis was away, takes the stored fleet policy when
 *   its version is newer than the one it has: a node started with a different file runs the
 *   fleet's policy as soon as it joins (and logs it), until a newer reload. A fleet where no node
 *   ever reloaded runs each node's own file.
 * - A reload made while Redis is away applies on that node at once and is published when Redis
 *   answers again (it then gets the newest version).
 */
import { reloadableSections, withReloadableSections } from '../config/reloadable.js';
import type { PolicyDocument } from '../config/schema.js';
import type { Clock } from '../state/clock.js';
import type { FleetLink, FleetLogger, FleetParticipant, FleetSnapshot } from './fleet-link.js';

export interface SharedPolicyOptions {
  readonly link: FleetLink;
  readonly clock: Clock;
  readonly logger: FleetLogger;
  /** The policy this node runs now. */
  readonly current: () => PolicyDocument;
  /** Swaps in a policy on this node only; throws with the reason to refuse it. */
  readonly apply: (doc: PolicyDocument) => void;
}

export class SharedPolicy implements FleetParticipant {
  readonly kind = 'policy';
  private readonly options: SharedPolicyOptions;
  /** Newest fleet version this node applied, refused or published. */
  private version = 0;
  private pending: Record<string, unknown> | null = null;
  private publishing: Promise<void> | null = null;

  constructor(options: SharedPolicyOptions) {
    this.options = options;
  }

  /** After a local reload: publishes its reloadable part in the background. */
  publish(doc: PolicyDocument): void {
    this.pending = reloadableSections(doc);
    this.flush().catch(() => {
      this.options.logger.warn(
        'policy reload not yet published to the fleet: Redis did not answer; it is published when Redis answers again',
      );
    });
  }

  hasPending(): boolean {
    return this.pending !== null;
  }

  flush(): Promise<void> {
    this.publishing ??= this.send().finally(() => {
      this.publishing = null;
    });
    return this.publishing;
  }

  applySnapshot(snapshot: FleetSnapshot): void {
    if (snapshot.policy === null) {
      // Redis lost the fleet policy this node runs: publish it again (newer than any it knew).
      if (snapshot.lost && this.version > 0 && this.pending === null)
        this.pending = reloadableSections(this.options.current());
      return;
    }
    try {
      this.take(snapshot.policy, 'stored');
    } catch (error) {
      this.options.logger.warn('refused the fleet policy stored in Redis', { why: (error as Error).message });
    }
  }

  applyMessage(body: Record<string, unknown>): void {
    this.take(body, 'published');
  }

  private async send(): Promise<void> {
    while (this.pending !== null) {
      const sections = this.pending;
      const { link, clock, logger } = this.options;
      const version = await link.nextPolicyVersion(this.version);
      const stored = await link.storePolicy(link.sign({ version, at: clock.now(), sections }), version);
      if (this.pending === sections) this.pending = null;
      if (stored === 0) {
        logger.warn('policy reload not published: a newer fleet policy was published meanwhile and replaces it', {
          version,
        });
      } else {
        this.version = Math.max(this.version, version);
        logger.info('policy published to the fleet', { version });
      }
    }
  }

  private take(body: Record<string, unknown>, how: 'stored' | 'published'): void {
    const version = body.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new Error('Cannot take the fleet policy: it has no version');
    }
    // Older than what this node has, or a local reload waits to be published as newer still.
    if (version <= this.version || this.pending !== null) return;
    this.version = version;
    const { logger, current, apply } = this.options;
    const from = typeof body.node === 'string' ? body.node : 'unknown';
    const own = JSON.stringify(reloadableSections(current()));
    let doc: PolicyDocument;
    try {
      doc = withReloadableSections(current(), body.sections, `the fleet policy v${version}`);
      apply(doc);
    } catch (error) {
      throw new Error(
        `${(error as Error).message} (the fleet policy v${version} from node ${from} is refused; this node keeps its policy)`,
      );
    }
    if (how === 'published') {
      logger.info('applied a policy published by another node', { version, from, mode: doc.mode });
    } else if (JSON.stringify(reloadableSections(doc)) === own) {
      logger.info('took the fleet policy stored in Redis', { version, from, mode: doc.mode });
    } else {
      // A restart alone does not roll out a changed file once the fleet has a reloaded policy.
      logger.warn(
        "took the fleet policy stored in Redis, which differs from this node's policy file and flags; to roll out the file, send SIGHUP to a node",
        { version, from, mode: doc.mode },
      );
    }
  }
}
