/**
 * The Postgres event schema, as steps applied in order on start. Append only: a step that has run
 * on some database must never change. `events_schema` holds how many steps have run; several
 * nodes starting at once take an advisory lock, so exactly one applies each step.
 *
 * The columns mirror the SQLite sink's (sqlite-sink.ts), with Postgres types: `time` is bigint
 * milliseconds (the same bucket arithmetic as SQLite), booleans are booleans, the findings' reason
 * codes are a text[] under a GIN index (search by reason), and the rest is one jsonb column, so a
 * new event field needs no migration. `seq` keeps insertion order for events of the same ms.
 * `event_minutes` rolls decisions up per minute (written in the same statement as the events),
 * so counts over a week read thousands of rows, not millions.
 */

/** Table names, qualified by the schema when one is configured. */
export interface PostgresTables {
  readonly events: string;
  readonly minutes: string;
  readonly version: string;
  /** Prefix for index names, which live in the table's schema (so never qualified). */
  readonly schema: string | null;
}

export function postgresMigrations(t: PostgresTables): readonly string[] {
  return [
    `CREATE TABLE ${t.events} (
       seq           bigint GENERATED ALWAYS AS IDENTITY,
       id            text PRIMARY KEY,
       time          bigint NOT NULL,
       type          text NOT NULL,
       flow          text NOT NULL,
       flow_kind     text NOT NULL,
       action        text NOT NULL,
       enforced      boolean NOT NULL,
       decided_by    text NOT NULL,
       ip            text NOT NULL,
       prefix        text NOT NULL,
       fingerprint   text NOT NULL,
       ua_family     text NOT NULL,
       username_hash text,
       status        integer NOT NULL,
       score         double precision NOT NULL,
       threat        text,
       attack        boolean NOT NULL,
       reasons       text[] NOT NULL,
       details       jsonb NOT NULL
     );
     CREATE INDEX events_time ON ${t.events} (time);
     CREATE INDEX events_ip ON ${t.events} (ip, time);
     CREATE INDEX events_username_hash ON ${t.events} (username_hash, time) WHERE username_hash IS NOT NULL;
     CREATE INDEX events_reasons ON ${t.events} USING gin (reasons);
     CREATE INDEX events_transitions ON ${t.events} (type, time) WHERE type <> 'decision';
     CREATE INDEX events_prefix ON ${t.events} (prefix, time);
     CREATE INDEX events_fingerprint ON ${t.events} (fingerprint, time);
     CREATE INDEX events_attack_logins ON ${t.events} (time, username_hash, enforced, action)
       WHERE type = 'decision' AND flow_kind = 'login' AND attack AND username_hash IS NOT NULL;
     CREATE TABLE ${t.minutes} (
       minute    bigint NOT NULL,
       type      text NOT NULL,
       flow_kind text NOT NULL,
       flow      text NOT NULL,
       action    text NOT NULL,
       enforced  boolean NOT NULL,
       attack    boolean NOT NULL,
       threat    text NOT NULL,
       cleared   boolean NOT NULL,
       count     bigint NOT NULL,
       PRIMARY KEY (minute, type, flow_kind, flow, action, enforced, attack, threat, cleared)
     );`,
  ];
}

export function postgresTables(schema: string | null): PostgresTables {
  if (schema === null) return { events: 'events', minutes: 'event_minutes', version: 'events_schema', schema: null };
  const quoted = quoteIdentifier(schema);
  return {
    events: `${quoted}.events`,
    minutes: `${quoted}.event_minutes`,
    version: `${quoted}.events_schema`,
    schema: quoted,
  };
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name as a quoted identifier; only plain lower-case names are accepted. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `Cannot use the Postgres schema name: expected lower-case letters, digits and "_" (received "${name}")`,
    );
  }
  return `"${name}"`;
}
