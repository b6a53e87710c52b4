// juggler's own default-scope suite, unmodified, against the COMPAT_CONNECTOR backend.
import { requireJugglerTest } from './juggler-globals';

requireJugglerTest('default-scope.test.js');
