/** The bundled scenarios, by name (`botgate eval --list`). */
import { compileScenario, type Scenario, type ScenarioDocument } from '../scenario.js';
import { background } from './background.js';
import { loginStuffing } from './login-stuffing.js';
import { scraping } from './scraping.js';
import { signupAndComments } from './signup-and-comments.js';
import { smoke } from './smoke.js';

export const BUNDLED_SCENARIOS: ReadonlyMap<string, ScenarioDocument> = new Map(
  [smoke, loginStuffing, signupAndComments, scraping, background].map((doc) => [doc.name, doc]),
);

export function bundledScenario(name: string): Scenario | undefined {
  const doc = BUNDLED_SCENARIOS.get(name);
  return doc === undefined ? undefined : compileScenario(doc, `bundled scenario "${name}"`);
}
