// juggler's own common.batch suite, unmodified, against the COMPAT_CONNECTOR backend.
import { requireJugglerTest } from './juggler-globals';

requireJugglerTest('common.batch.js');
