// `node --import ./test/helpers/loadRecorder.mjs …`: appends the URL of every
// module the process resolves to the file named by FAULTLINE_LOAD_LOG, so a
// test can see what a command loaded.
import { register } from 'node:module';

register('./loadRecorderHooks.mjs', import.meta.url);
