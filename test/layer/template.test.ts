// The IAM policies of layer/template.yaml grant what the agent and the CLI
// call, and nothing more: the function's read is limited to its own scope and
// `*` (dynamodb:LeadingKeys), the operator's to the calls `faultline chaos` makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type Tags } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

// CloudFormation's short forms, kept as plain values.
const customTags: Tags = ['!GetAtt', '!Ref', '!Sub'].map((tag) => ({
  tag,
  identify: () => false,
  resolve: (value: unknown) => ({ [tag.slice(1)]: value }),
}));
const template = parse(read('layer/template.yaml'), { customTags }) as {
  Resources: Record<string, { Properties: { PolicyDocument: { Statement: Statement[] } } }>;
};

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string[]>>;
}

const statements = (name: string) => template.Resources[name]!.Properties.PolicyDocument.Statement;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const TABLE = { GetAtt: 'RuleTable.Arn' };

test('the function policy allows only Query, on the rule table, for the partitions of its own scope and *', () => {
  const own = statements('FunctionRulesReadPolicy');
  // What the agent sends: the targets of its DynamoDB requests.
  const agentCalls = [...read('src/chaos/dynamoReader.ts').matchAll(/'DynamoDB_20120810\.(\w+)'/g)].map((m) => `dynamodb:${m[1]}`);
  assert.deepEqual([...new Set(agentCalls)], ['dynamodb:Query']);
  const allowedKeys: string[] = [];
  for (const s of own) {
    assert.equal(s.Effect, 'Allow');
    assert.deepEqual(actions(s), ['dynamodb:Query'], `${s.Sid}: Query only (it carries the partition key LeadingKeys checks)`);
    assert.deepEqual(s.Resource, TABLE);
    const keys = s.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'];
    assert.ok(keys !== undefined && keys.length > 0, `${s.Sid}: limited by dynamodb:LeadingKeys`);
    allowedKeys.push(...keys);
  }
  assert.deepEqual(allowedKeys.sort(), ['${aws:PrincipalTag/faultline-scope}', '*']);
});

test('the operator policy allows exactly the calls faultline chaos makes', () => {
  // cli/chaos/ruleTable.ts is the CLI's only way to the table: every operation is a client.call('Operation', …).
  const ruleTable = read('cli/chaos/ruleTable.ts');
  const dynamoCalls = new Set([...ruleTable.matchAll(/\.call(?:<\w+>)?\('(\w+)'/g)].map((m) => `dynamodb:${m[1]}`));
  const s = statements('OperatorRulesWritePolicy');
  const dynamo = s.filter((st) => actions(st).some((a) => a.startsWith('dynamodb:')));
  assert.equal(dynamo.length, 1);
  assert.deepEqual(dynamo[0]!.Resource, TABLE);
  assert.deepEqual(actions(dynamo[0]!).sort(), [...dynamoCalls].sort());

  // sts for the audit fields (cli/chaos/callerIdentity.ts); Logs Insights for `chaos run` (cli/logs/insights.ts, selectFunctions.ts).
  assert.match(read('cli/aws/sts.ts'), /queryBody\('GetCallerIdentity', /);
  // cli/logs/cloudWatchApi.ts maps each method to its operation (`startQuery: (input) => client.call<…>('StartQuery', …)`).
  const methods = new Map([...read('cli/logs/cloudWatchApi.ts').matchAll(/(\w+): \(input\) => client\.call<\w+>\('(\w+)'/g)].map((m) => [m[1]!, m[2]!]));
  const insights = read('cli/logs/insights.ts') + read('cli/logs/selectFunctions.ts');
  const used = [...methods].filter(([method]) => new RegExp(`\\.${method}\\(`).test(insights)).map(([, op]) => op);
  assert.deepEqual(used.sort(), ['DescribeLogGroups', 'GetQueryResults', 'StartQuery']);
  const others = s.flatMap((st) => actions(st)).filter((a) => !a.startsWith('dynamodb:')).sort();
  assert.deepEqual(others, ['logs:DescribeLogGroups', 'logs:GetQueryResults', 'logs:StartQuery', 'sts:GetCallerIdentity']);
  for (const st of s) assert.equal(st.Effect, 'Allow');
});
