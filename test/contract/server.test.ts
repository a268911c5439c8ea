/** The session API contract against the real server over HTTP, with a test clock. */
import { describeNotesContract } from './notes-api.contract';
import { serverTargetOn } from './server-target';
import { describeSessionContract } from './session-api.contract';

const serverTarget = serverTargetOn();

describeSessionContract('real server over HTTP', serverTarget);
describeNotesContract('real server over HTTP', serverTarget);
