// juggler's persistence-hooks.suite again, unmodified, on a datasource that sets
// enableOptimisedFindOrCreate, the official connector's switch for a one-operation findOrCreate.
// Ours always runs findOrCreate as one findOneAndUpdate, so the setting must be accepted and
// change nothing: same suite, same results.
import { runPersistenceHooksSuite } from './persistence-hooks-suite';

runPersistenceHooksSuite({ enableOptimisedFindOrCreate: true });
