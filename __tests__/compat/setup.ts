// setupFilesAfterEnv: jest's globals exist now and must be captured before
// they are replaced by the mocha-compatible ones.
import { installMochaGlobals } from './mocha-adapter';
import { installJugglerGlobals } from './juggler-globals';

installJugglerGlobals();
installMochaGlobals();
