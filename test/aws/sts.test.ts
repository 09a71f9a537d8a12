// GetCallerIdentity over the query protocol against a real HTTP server, and
// createdBy: the caller's ARN when STS answers in time, else the local user.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { AwsServiceError } from '../../cli/aws/awsError.js';
import { decodeXmlEntities, getCallerIdentity, xmlText } from '../../cli/aws/sts.js';
import { resolveCreatedBy } from '../../cli/chaos/callerIdentity.js';
import { closedPort, closeServer, listen } from '../helpers/targetServer.js';

type Reply = { status: number; body: string } | 'hang';

let server: Server;
let url: string;
let reply: Reply;
const received: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
const savedUser = process.env.USER;

const identityXml = (arn: string) =>
  `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <GetCallerIdentityResult>\n` +
  `    <Arn>${arn}</Arn>\n    <UserId>AIDAEXAMPLE</UserId>\n    <Account>123456789012</Account>\n` +
  `  </GetCallerIdentityResult>\n  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n</GetCallerIdentityResponse>\n`;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.body);
    });
  });
  url = `http://127.0.0.1:${await listen(server)}`;
  process.env.USER = 'local-alice';
});

after(async () => {
  await closeServer(server);
  if (savedUser === undefined) delete process.env.USER;
  else process.env.USER = savedUser;
});

const KEYS = { accessKeyId: 'AKIDSTS', secretAccessKey: 'sts-secret', sessionToken: 'sts-token' };
const credentials = () => Promise.resolve(KEYS);
const endpoint = () => ({ url: new URL(url), region: 'eu-west-1', from: 'test' });

test('XML text: the five entities and numeric references decoded, anything else left as written', () => {
  const cases: Array<[string, string]> = [
    ['arn:aws:sts::1:assumed-role/R&amp;D/alice@example.com', 'arn:aws:sts::1:assumed-role/R&D/alice@example.com'],
    ['&lt;&gt;&quot;&apos;&amp;amp;', `<>"'&amp;`],
    ['&#65;&#x42;&#x1F600;', 'AB😀'],
    ['&nbsp;&#xD800;&#x110000;&;&amp', '&nbsp;&#xD800;&#x110000;&;&amp'],
  ];
  for (const [input, want] of cases) assert.equal(decodeXmlEntities(input), want, input);
  assert.equal(xmlText('<a><Arn> x&amp;y </Arn></a>', 'Arn'), 'x&y');
  assert.equal(xmlText('<a><Arnx>no</Arnx></a>', 'Arn'), undefined);
});

test('GetCallerIdentity: a signed form POST for sts, the ARN read back with entities decoded', async () => {
  received.length = 0;
  reply = { status: 200, body: identityXml('arn:aws:sts::123456789012:assumed-role/R&amp;D/alice') };
  const id = await getCallerIdentity({ endpoint: endpoint(), credentials, maxAttempts: 1 });
  assert.deepEqual(id, { arn: 'arn:aws:sts::123456789012:assumed-role/R&D/alice', account: '123456789012', userId: 'AIDAEXAMPLE' });
  const [r] = received;
  assert.equal(r?.url, '/');
  assert.equal(r?.body, 'Action=GetCallerIdentity&Version=2011-06-15');
  assert.equal(r?.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
  assert.equal(r?.headers['x-amz-security-token'], 'sts-token');
  assert.match(String(r?.headers['authorization']), /^AWS4-HMAC-SHA256 Credential=AKIDSTS\/\d{8}\/eu-west-1\/sts\/aws4_request, /);
});

test('GetCallerIdentity: an error answer is an AwsServiceError with the XML code and message', async () => {
  reply = {
    status: 403,
    body: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>' +
      '<Message>The security token included in the request is invalid.</Message></Error><RequestId>r-2</RequestId></ErrorResponse>',
  };
  await assert.rejects(getCallerIdentity({ endpoint: endpoint(), credentials, maxAttempts: 1 }), (err: unknown) => {
    assert.ok(err instanceof AwsServiceError);
    assert.deepEqual([err.name, err.message, err.statusCode, err.requestId], ['InvalidClientTokenId', 'The security token included in the request is invalid.', 403, 'r-2']);
    return true;
  });
  reply = { status: 200, body: '<GetCallerIdentityResponse></GetCallerIdentityResponse>' };
  await assert.rejects(getCallerIdentity({ endpoint: endpoint(), credentials, maxAttempts: 1 }), /without an Arn/);
});

test('createdBy: the ARN when STS answers, through AWS_ENDPOINT_URL_STS with the command\'s credentials', async () => {
  received.length = 0;
  reply = { status: 200, body: identityXml('arn:aws:iam::123456789012:user/game-day-alice') };
  const env = { AWS_ENDPOINT_URL_STS: url };
  assert.equal(await resolveCreatedBy({ region: 'eu-west-1', credentials, env }), 'arn:aws:iam::123456789012:user/game-day-alice');
  assert.match(String(received[0]?.headers['authorization']), /Credential=AKIDSTS\/\d{8}\/eu-west-1\/sts\//);
  // Without credentials given, the environment's keys (resolveAccess) sign it.
  assert.equal(
    await resolveCreatedBy({ env: { ...env, AWS_ACCESS_KEY_ID: 'AKIDENVSTS', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'ap-south-1' } }),
    'arn:aws:iam::123456789012:user/game-day-alice',
  );
  assert.match(String(received[1]?.headers['authorization']), /Credential=AKIDENVSTS\/\d{8}\/ap-south-1\/sts\//);
});

test('createdBy: the local user when STS refuses, is unreachable, never answers, or the credentials cannot be had', async () => {
  const env = { AWS_ENDPOINT_URL_STS: url };
  reply = { status: 403, body: '<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>' };
  assert.equal(await resolveCreatedBy({ credentials, env }), 'local-alice');

  assert.equal(await resolveCreatedBy({ credentials, env: { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${await closedPort()}` } }), 'local-alice');

  reply = 'hang';
  assert.equal(await resolveCreatedBy({ credentials, env, timeoutMs: 200 }), 'local-alice');

  // A credential lookup that never ends is bounded too.
  assert.equal(await resolveCreatedBy({ credentials: () => new Promise(() => {}), env, timeoutMs: 200 }), 'local-alice');
  assert.equal(await resolveCreatedBy({ credentials: () => Promise.reject(new Error('no credentials')), env }), 'local-alice');

  // A region that is not one: no request, the local user.
  received.length = 0;
  assert.equal(await resolveCreatedBy({ region: 'evil.com/', credentials, env: {} }), 'local-alice');
  assert.equal(received.length, 0);
});
