// juggler's own include suite, unmodified, against the COMPAT_CONNECTOR backend.
import { requireJugglerTest } from './juggler-globals';

requireJugglerTest('include.test.js');
