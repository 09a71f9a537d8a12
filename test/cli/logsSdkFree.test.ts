// `logs tail`, `logs correlate` and `coldstarts` with --source cloudwatch
// reach CloudWatch Logs (and CloudFormation for --stack) without loading the
// AWS SDK's service clients: their load time is most of a command's start
// (docs/benchmarks.md "CLI startup"). The real bin runs in a child process
// against a local stand-in for both services (test/helpers/fakeAws.ts), with
// a resolve hook recording every module it loads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeXml, eventStream, FakeAws, liveTailEvent, queryXml } from '../helpers/fakeAws.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'cli', 'bin.ts');
const SDK_CLIENTS = /@aws-sdk\/client-(cloudwatch-logs|cloudformation)\//;

let aws: FakeAws;
let dir: string;
before(async () => {
  aws = await FakeAws.start();
  dir = mkdtempSync(join(tmpdir(), 'faultline-sdkfree-'));
});
after(async () => {
  await aws.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI; its exit code, stderr and the URL of every module it resolved. */
function run(args: string[], name: string): Promise<{ code: number | null; stderr: string; loaded: string[] }> {
  const log = join(dir, `${name}.txt`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/loadRecorder.mjs', BIN, ...args], {
    cwd: ROOT,
    // Keys and region in the environment: the common case, which needs no credential chain or config file.
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', FAULTLINE_LOAD_LOG: log, AWS_EC2_METADATA_DISABLED: 'true', ...aws.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) }));
  });
}

const group = (fn: string) => ({ logGroupName: `/aws/lambda/${fn}`, logGroupArn: `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${fn}` });

describe('CloudWatch commands load no AWS SDK service client', () => {
  test('logs tail --functions a,b (Live Tail)', async () => {
    aws.reset();
    aws.on('DescribeLogGroups', (input: { logGroupNamePrefix: string }) => ({ logGroups: [group(input.logGroupNamePrefix.slice('/aws/lambda/'.length))] }));
    aws.on('StartLiveTail', (input: { logGroupIdentifiers: string[] }) =>
      eventStream([liveTailEvent('sessionUpdate', { sessionResults: [{ logGroupIdentifier: input.logGroupIdentifiers[0], logStreamName: 's', message: 'hello', timestamp: Date.now() }] })], true),
    );
    const r = await run(['logs', 'tail', '--functions', 'a,b', '--source', 'cloudwatch', '--max-events', '1'], 'tail');
    assert.deepEqual(r.loaded.filter((u) => SDK_CLIENTS.test(u)), []);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...new Set(aws.calls.map((c) => c.operation))], ['DescribeLogGroups', 'StartLiveTail']);
  });

  test('logs correlate ID --functions a (Logs Insights, FilterLogEvents)', async () => {
    aws.reset();
    aws.on('DescribeLogGroups', (input: { logGroupNamePrefix: string }) => ({ logGroups: [group(input.logGroupNamePrefix.slice('/aws/lambda/'.length))] }));
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Complete', results: [] }));
    const r = await run(['logs', 'correlate', 'ord-1234', '--functions', 'a', '--source', 'cloudwatch', '--since', '1h'], 'correlate');
    assert.deepEqual(r.loaded.filter((u) => SDK_CLIENTS.test(u)), []);
    assert.ok(aws.inputsOf('GetQueryResults').length > 0, r.stderr);
  });

  test('coldstarts --stack shop (CloudFormation, then Logs Insights)', async () => {
    aws.reset();
    aws.on('ListStackResources', () =>
      queryXml(
        `<ListStackResourcesResponse><ListStackResourcesResult><StackResourceSummaries><member><LogicalResourceId>A</LogicalResourceId>` +
          `<PhysicalResourceId>${escapeXml('shop-a')}</PhysicalResourceId><ResourceType>AWS::Lambda::Function</ResourceType></member></StackResourceSummaries></ListStackResourcesResult></ListStackResourcesResponse>`,
      ),
    );
    aws.on('DescribeLogGroups', () => ({ logGroups: [group('shop-a')] }));
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Complete', results: [] }));
    const r = await run(['coldstarts', '--stack', 'shop', '--source', 'cloudwatch', '--json'], 'coldstarts');
    assert.deepEqual(r.loaded.filter((u) => SDK_CLIENTS.test(u)), []);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(aws.calls.map((c) => c.operation).slice(0, 2), ['ListStackResources', 'DescribeLogGroups']);
  });
});
