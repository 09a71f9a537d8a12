// Lambda's nodejs22.x runtime entry (its /var/runtime/index.mjs): AWS's runtime
// client 3.x, installed in faultline's repository as the devDependency
// aws-lambda-ric-3, started on the function's handler as that runtime starts it.
import { run } from 'aws-lambda-ric-3';

await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
