/**
 * Word lists for the people the simulator invents: real users who sign up, the owners of
 * usernames in leaked combo lists, and the names fake-account bots pattern theirs on. Broader
 * than the demo's own user generator (src/demo/users.ts), so most invented names are not
 * accounts here, as most names in a combo list from another site are not.
 */

// biome-ignore format: a table of words reads better in rows
export const FIRST_NAMES = [
  'aaron', 'abby', 'adam', 'adrian', 'aisha', 'alex', 'alina', 'amanda', 'amelia', 'andre',
  'andrea', 'angela', 'anna', 'anthony', 'ashley', 'barbara', 'ben', 'bianca', 'brandon', 'brian',
  'bruno', 'caleb', 'camila', 'carlos', 'caroline', 'charles', 'chris', 'claire', 'connor', 'dan',
  'dana', 'david', 'denise', 'derek', 'dylan', 'eli', 'elif', 'emily', 'eric', 'ethan',
  'eva', 'finn', 'gabriel', 'george', 'gina', 'hannah', 'harry', 'heather', 'ian', 'isabel',
  'jacob', 'james', 'jamie', 'jason', 'jennifer', 'jessica', 'joao', 'joe', 'john', 'jordan',
  'jose', 'joshua', 'kate', 'kevin', 'kim', 'kyle', 'lars', 'lauren', 'liam', 'lisa',
  'luca', 'luis', 'marco', 'maria', 'mark', 'martin', 'matt', 'megan', 'michael', 'michelle',
  'mike', 'milan', 'monica', 'natalie', 'nathan', 'nicole', 'nina', 'olivia', 'patrick', 'paul',
  'pedro', 'peter', 'rachel', 'rebecca', 'ricardo', 'robert', 'ryan', 'sandra', 'sarah', 'sean',
  'simone', 'sophie', 'stefan', 'steve', 'susan', 'tom', 'tyler', 'victor', 'will', 'yusuf',
] as const;

// biome-ignore format: a table of words reads better in rows
export const LAST_NAMES = [
  'anderson', 'bailey', 'becker', 'bennett', 'brown', 'campbell', 'carter', 'clark', 'collins', 'cook',
  'cooper', 'davies', 'davis', 'diaz', 'edwards', 'ferreira', 'fernandez', 'foster', 'gomez', 'gonzalez',
  'gray', 'green', 'hall', 'harris', 'hernandez', 'hill', 'hoffmann', 'hughes', 'jackson', 'james',
  'johnson', 'jones', 'kelly', 'king', 'klein', 'koch', 'lambert', 'lewis', 'martinez', 'miller',
  'mitchell', 'moore', 'morgan', 'morris', 'murphy', 'nelson', 'oliveira', 'ortiz', 'parker', 'peters',
  'phillips', 'price', 'ramirez', 'reed', 'richter', 'rivera', 'roberts', 'robinson', 'rodriguez', 'rogers',
  'ross', 'russell', 'sanchez', 'schneider', 'scott', 'shaw', 'simpson', 'stewart', 'sullivan', 'taylor',
  'thomas', 'thompson', 'turner', 'walker', 'ward', 'watson', 'white', 'williams', 'wood', 'wright',
] as const;

/** Words people build handles and passwords from. */
// biome-ignore format: a table of words reads better in rows
export const HANDLE_WORDS = [
  'angel', 'apple', 'bear', 'biker', 'blue', 'bunny', 'captain', 'cherry', 'coffee', 'cookie',
  'dragon', 'dream', 'eagle', 'fire', 'fox', 'gamer', 'ghost', 'golden', 'happy', 'hunter',
  'jazz', 'king', 'lucky', 'maple', 'moon', 'ninja', 'ocean', 'panda', 'pixel', 'queen',
  'rain', 'river', 'rocket', 'shadow', 'silver', 'sky', 'snow', 'star', 'storm', 'sunny',
  'tiger', 'wolf',
] as const;

/** Where ordinary people have their mail, weighted roughly by share. */
export const EMAIL_PROVIDERS = {
  'gmail.com': 40,
  'outlook.com': 10,
  'hotmail.com': 9,
  'yahoo.com': 9,
  'icloud.com': 12,
  'proton.me': 3,
  'gmx.de': 4,
  'orange.fr': 3,
  'web.de': 3,
  'comcast.net': 3,
  'aol.com': 2,
  'fastmail.com': 2,
} as const;

/** Throwaway-mail services fake-account bots use (all long-running, well-known ones). */
// biome-ignore format: a table of words reads better in rows
export const DISPOSABLE_DOMAINS = [
  'mailinator.com', 'guerrillamail.com', 'yopmail.com', '10minutemail.com', 'sharklasers.com',
  'trashmail.com', 'maildrop.cc', 'dispostable.com', 'getnada.com', 'mailnesia.com',
  'tempmail.plus', 'temp-mail.io', 'grr.la', 'mohmal.com',
] as const;
