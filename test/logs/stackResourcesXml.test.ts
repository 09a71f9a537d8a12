// The pure readers of CloudFormation's query-protocol XML: ListStackResources
// pages, error documents, entities and CDATA, and garbage (a clear XmlError,
// in one linear pass: never a hang, never another kind of error).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEntities, parseQueryError, parseXml, XmlError } from '../../cli/aws/xml.js';
import { parseListStackResources } from '../../cli/logs/stackResourcesXml.js';

const page = (inner: string, token = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">` +
  `<ListStackResourcesResult><StackResourceSummaries>${inner}</StackResourceSummaries>${token}</ListStackResourcesResult>` +
  `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ListStackResourcesResponse>`;
const member = (fields: string) => `<member>${fields}</member>`;

describe('parseListStackResources', () => {
  const cases: Array<[string, string, ReturnType<typeof parseListStackResources>]> = [
    [
      'members and a token',
      page(
        member('<LogicalResourceId>Fn</LogicalResourceId><PhysicalResourceId>shop-fn</PhysicalResourceId><ResourceType>AWS::Lambda::Function</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus>') +
          member('<LogicalResourceId>Q</LogicalResourceId><PhysicalResourceId>https://sqs/q</PhysicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType>'),
        '<NextToken>abc</NextToken>',
      ),
      {
        summaries: [
          { LogicalResourceId: 'Fn', PhysicalResourceId: 'shop-fn', ResourceType: 'AWS::Lambda::Function' },
          { LogicalResourceId: 'Q', PhysicalResourceId: 'https://sqs/q', ResourceType: 'AWS::SQS::Queue' },
        ],
        nextToken: 'abc',
      },
    ],
    [
      'entities decoded (predefined, decimal, hex)',
      page(member('<PhysicalResourceId>a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&#39;&#x41;&#233;</PhysicalResourceId>'), '<NextToken>t&amp;=/+</NextToken>'),
      { summaries: [{ LogicalResourceId: undefined, PhysicalResourceId: `a&b<c>"d"'e'Aé`, ResourceType: undefined }], nextToken: 't&=/+' },
    ],
    [
      'CDATA kept verbatim, comments ignored',
      page(member('<!-- a comment --><PhysicalResourceId><![CDATA[x&amp;<y>]]></PhysicalResourceId>')),
      { summaries: [{ LogicalResourceId: undefined, PhysicalResourceId: 'x&amp;<y>', ResourceType: undefined }], nextToken: undefined },
    ],
    ['missing fields are undefined', page(member('') + '<member/>'), { summaries: [{ LogicalResourceId: undefined, PhysicalResourceId: undefined, ResourceType: undefined }, { LogicalResourceId: undefined, PhysicalResourceId: undefined, ResourceType: undefined }], nextToken: undefined }],
    ['no summaries at all', page('').replace('<StackResourceSummaries></StackResourceSummaries>', ''), { summaries: [], nextToken: undefined }],
    ['an empty token is the last page', page('', '<NextToken></NextToken>'), { summaries: [], nextToken: undefined }],
    ['whitespace around values is trimmed', page(member('<PhysicalResourceId>\n  fn \n</PhysicalResourceId>')), { summaries: [{ LogicalResourceId: undefined, PhysicalResourceId: 'fn', ResourceType: undefined }], nextToken: undefined }],
  ];
  for (const [name, xml, expected] of cases) {
    test(name, () => assert.deepEqual(parseListStackResources(xml), expected));
  }

  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /no element/],
    ['not XML', 'Service Unavailable', /text outside the root element/],
    ['HTML error page', '<html><body>502</html>', /end tag <\/html> closes <body>/],
    ['unclosed', page('').slice(0, -30), /is never closed|unterminated/],
    ['another document', '<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>', /expected <ListStackResourcesResponse>, got <ErrorResponse>/],
    ['no result element', '<ListStackResourcesResponse></ListStackResourcesResponse>', /has no <ListStackResourcesResult>/],
    ['unknown entity', page(member('<PhysicalResourceId>&nbsp;</PhysicalResourceId>')), /bad entity "&nbsp;"/],
    ['unterminated entity', page(member('<PhysicalResourceId>a & b</PhysicalResourceId>')), /bad entity/],
    ['out-of-range character reference', page(member('<PhysicalResourceId>&#x110000;</PhysicalResourceId>')), /bad entity/],
    ['a DOCTYPE (entity expansion is never attempted)', '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', /DOCTYPE/],
    ['two roots', '<a></a><b></b>', /a second root element <b>/],
    ['too deep', '<a>'.repeat(100) + '</a>'.repeat(100), /nested deeper than 64/],
    ['unterminated CDATA', '<a><![CDATA[x</a>', /unterminated CDATA/],
  ];
  for (const [name, xml, message] of bad) {
    test(`garbage: ${name} → XmlError`, () => assert.throws(() => parseListStackResources(xml), (err: unknown) => err instanceof XmlError && message.test(err.message)));
  }

  test('any text: a page or an XmlError, nothing else (fast-check)', () => {
    const pieces = fc.constantFrom('<', '>', '/', '&', ';', '<![CDATA[', ']]>', '<!--', '-->', '<?', '?>', 'member', 'NextToken', '&amp;', '&#', 'x', ' ', '"');
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.array(pieces, { maxLength: 60 }).map((a) => a.join('')));
    fc.assert(
      fc.property(text, (xml) => {
        try {
          parseListStackResources(page(xml));
          parseListStackResources(xml);
        } catch (err) {
          if (!(err instanceof XmlError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a long run of unclosed tags is refused in linear time, not explored', () => {
    // 200k opening brackets: every indexOf finds its end once.
    assert.throws(() => parseXml('<a>' + '<'.repeat(200_000)), XmlError);
    assert.throws(() => decodeEntities('&'.repeat(200_000)), XmlError);
  });
});

describe('parseQueryError', () => {
  test('code, message and request id', () => {
    assert.deepEqual(
      parseQueryError('<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id x&amp;y does not exist</Message></Error><RequestId>r-9</RequestId></ErrorResponse>'),
      { code: 'ValidationError', message: 'Stack with id x&y does not exist', requestId: 'r-9' },
    );
  });
  test('missing fields are undefined', () => {
    assert.deepEqual(parseQueryError('<ErrorResponse><Error></Error></ErrorResponse>'), { code: undefined, message: undefined, requestId: undefined });
  });
  test('not an error document, or not XML: undefined', () => {
    assert.equal(parseQueryError(''), undefined);
    assert.equal(parseQueryError('Bad Gateway'), undefined);
    assert.equal(parseQueryError('<html><body>x</body></html>'), undefined);
  });
});
