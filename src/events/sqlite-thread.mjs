// Entry of the SQLite worker thread: botgate runs from its TypeScript sources (bin/botgate
// registers tsx on the main thread), and a worker thread needs the loader registered again.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-thread.ts');
