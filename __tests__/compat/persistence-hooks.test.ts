// juggler's persistence-hooks.suite (and the operation-hooks.suite it pulls
// in), unmodified, against the COMPAT_CONNECTOR backend.
import { runPersistenceHooksSuite } from './persistence-hooks-suite';

runPersistenceHooksSuite();
