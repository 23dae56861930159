/**
 * Store keys of the login detectors, in one place so that what one detector learns another
 * can read, and so that the key space is documented: every key holds hashes or addresses, never
 * a clear username or a password.
 */
export const loginKeys = {
  /** Distinct usernames tried by a source (ip, prefix, device, fingerprint) — HyperLogLog. */
  usernames: (source: string, value: string) => `lg:u:${source}:${value}`,
  /** Forwarded logins of a source whose outcome was learnt. */
  attempts: (source: string, value: string) => `lg:a:${source}:${value}`,
  /** Failed logins of a source. */
  failures: (source: string, value: string) => `lg:f:${source}:${value}`,
  /** A username that logged in or signed up successfully (flag). */
  knownUsername: (usernameHash: string) => `lg:known:${usernameHash}`,
  /** This device logged this user in before (flag). */
  knownDevice: (deviceId: string, usernameHash: string) => `lg:dev:${deviceId}:${usernameHash}`,
  /** This user logged in successfully from this network before (flag). */
  knownNetwork: (usernameHash: string, prefix: string) => `lg:net:${usernameHash}:${prefix}`,
  /** When a device last loaded a page (flag; value: epoch ms). */
  pageView: (deviceId: string) => `pv:${deviceId}`,
  /** Distinct passwords tried against one account — HyperLogLog. */
  passwordsForAccount: (usernameHash: string) => `lg:pw:${usernameHash}`,
  /** Distinct accounts that failed with one password — HyperLogLog. */
  accountsFailingWithPassword: (passwordHash: string) => `lg:spray:${passwordHash}`,
  /** Failed logins on one account, from anywhere. */
  accountFailures: (usernameHash: string) => `lg:af:${usernameHash}`,
  /** Distinct IPs whose logins failed on one account — HyperLogLog. */
  accountFailureSources: (usernameHash: string) => `lg:as:${usernameHash}`,
  /** A device whose login was a suspected takeover (flag). */
  takeoverDevice: (deviceId: string) => `ato:dev:${deviceId}`,
  /** Flow-wide forwarded logins, failures and never-seen usernames, for attack mode. */
  flowAttempts: (flow: string) => `fw:${flow}:a`,
  flowFailures: (flow: string) => `fw:${flow}:f`,
  flowUnknown: (flow: string) => `fw:${flow}:u`,
  /** Flow-wide successful logins, and those whose username was already known (the sketch's coverage). */
  flowSuccesses: (flow: string) => `fw:${flow}:s`,
  flowKnownSuccesses: (flow: string) => `fw:${flow}:sk`,
  /** Attack mode is on for a flow (flag; value: start time), shared by every node. */
  attackMode: (flow: string) => `am:${flow}`,
} as const;

export const DAY_MS = 86_400_000;
