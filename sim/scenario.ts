/**
 * Scenarios are data: which personas, how many sessions of each, over how long, with which
 * options, from which seed. Bundled ones are TypeScript objects (sim/scenarios/); any other is a
 * YAML or JSON file of the same shape, passed to `botgate eval --scenario FILE`.
 *
 * A scenario is checked whole before anything runs: unknown keys, unknown personas, bad option
 * values and duplicate labels are all reported at once, each with its path
 * (`personas[2].options.attempts`), and nothing is started.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SharedAddressCounts } from './addresses.js';
import type { Persona } from './persona.js';
import { PERSONAS } from './personas/index.js';

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

const entrySchema = z
  .object({
    /** A persona name (see `botgate eval --list`). */
    persona: z.string(),
    /** The name in the scoreboard; default the persona's name. Needed when one persona appears twice. */
    label: z.string().regex(NAME, 'expected lower-case letters, digits, ".", "_" or "-"').optional(),
    /** How many sessions; what a session is depends on the persona. */
    sessions: z.number().int().min(0).max(100_000),
    /** When its sessions may start, in seconds from the run's start. Default 0. */
    startSeconds: z.number().min(0).default(0),
    /** Over how long its sessions start. Default: the scenario's durationSeconds. */
    durationSeconds: z.number().positive().optional(),
    /** The persona's own options (checked by the persona). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const scenarioSchema = z
  .object({
    name: z.string().regex(NAME, 'expected lower-case letters, digits, ".", "_" or "-"'),
    description: z.string().default(''),
    /** Default 1; `--seed` overrides it. */
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
    /** Sessions start over this many seconds; they finish a little later. */
    durationSeconds: z
      .number()
      .positive()
      .max(24 * 3600),
    /** Multiplies human delays (reading, typing), never below their floors. Default 1 (real time). */
    thinkTimeScale: z.number().positive().max(10).default(1),
    /** Accounts of the demo marketplace (generateDemoUsers). Default 500, as `botgate demo`. */
    users: z.number().int().min(1).max(100_000).default(500),
    /** Carrier-grade NAT and office addresses that human sessions share. */
    sharedAddresses: z
      .object({ carrierNat: z.number().int().min(0).max(100), office: z.number().int().min(0).max(100) })
      .strict()
      .default({ carrierNat: 3, office: 2 }),
    /** The run stops sending after this many requests. Default 200 000. */
    maxRequests: z.number().int().positive().max(5_000_000).default(200_000),
    /** The run stops after this many seconds whatever is left. Default durationSeconds + 120. */
    maxSeconds: z.number().positive().optional(),
    personas: z.array(entrySchema).min(1),
  })
  .strict();

/** A scenario as written (TypeScript object, YAML or JSON): optional keys may be left out. */
export type ScenarioDocument = z.input<typeof scenarioSchema>;

export interface ScenarioEntry {
  readonly persona: Persona<unknown>;
  readonly label: string;
  readonly sessions: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly options: unknown;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly durationSeconds: number;
  readonly thinkTimeScale: number;
  readonly users: number;
  readonly sharedAddresses: SharedAddressCounts;
  readonly maxRequests: number;
  readonly maxSeconds: number;
  readonly entries: readonly ScenarioEntry[];
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Cannot load scenario ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/** Checks a scenario document; throws a ScenarioError listing every problem. */
export function compileScenario(document: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(document);
  if (!parsed.success)
    throw new ScenarioError(
      source,
      parsed.error.issues.map((issue) => describe(issue.path, issue.message)),
    );
  const doc = parsed.data;
  const problems: string[] = [];
  const labels = new Set<string>();
  const entries: ScenarioEntry[] = [];
  doc.personas.forEach((entry, index) => {
    const at = ['personas', index];
    const persona = PERSONAS.get(entry.persona);
    if (persona === undefined) {
      problems.push(
        describe(
          [...at, 'persona'],
          `no such persona (received "${entry.persona}"; expected one of ${[...PERSONAS.keys()].join(', ')})`,
        ),
      );
      return;
    }
    const label = entry.label ?? entry.persona;
    if (labels.has(label))
      problems.push(describe([...at, 'label'], `"${label}" is used twice; give each entry its own label`));
    labels.add(label);
    const options = persona.options.safeParse(entry.options);
    if (!options.success) {
      for (const issue of options.error.issues)
        problems.push(describe([...at, 'options', ...issue.path], issue.message));
      return;
    }
    entries.push({
      persona,
      label,
      sessions: entry.sessions,
      startSeconds: entry.startSeconds,
      durationSeconds: entry.durationSeconds ?? doc.durationSeconds,
      options: options.data,
    });
  });
  if (problems.length > 0) throw new ScenarioError(source, problems);
  return {
    name: doc.name,
    description: doc.description,
    seed: doc.seed,
    durationSeconds: doc.durationSeconds,
    thinkTimeScale: doc.thinkTimeScale,
    users: doc.users,
    sharedAddresses: doc.sharedAddresses,
    maxRequests: doc.maxRequests,
    maxSeconds: doc.maxSeconds ?? doc.durationSeconds + 120,
    entries,
  };
}

/** Reads a YAML (or JSON, which is YAML) scenario file. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(path, [`the file cannot be read (${(err as { code?: string }).code ?? String(err)})`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new ScenarioError(path, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  return compileScenario(document, path);
}

function describe(path: readonly PropertyKey[], message: string): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return `${out === '' ? '(scenario)' : out}: ${message}`;
}
