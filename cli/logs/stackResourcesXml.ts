// ListStackResources' answer (`<ListStackResourcesResponse>`), read with
// the query protocol's XML reader (cli/aws/xml.ts).
import { child, parseXml, textOf, XmlError } from '../aws/xml.js';

export interface StackResourceSummary {
  readonly LogicalResourceId: string | undefined;
  readonly PhysicalResourceId: string | undefined;
  readonly ResourceType: string | undefined;
}

export interface ListStackResourcesPage {
  readonly summaries: StackResourceSummary[];
  /** Undefined on the last page. */
  readonly nextToken: string | undefined;
}

/** Pure: a ListStackResources answer (`<ListStackResourcesResponse><ListStackResourcesResult>…`). */
export function parseListStackResources(xml: string): ListStackResourcesPage {
  const root = parseXml(xml);
  if (root.name !== 'ListStackResourcesResponse') throw new XmlError(`expected <ListStackResourcesResponse>, got <${root.name}>`);
  const result = child(root, 'ListStackResourcesResult');
  if (result === undefined) throw new XmlError('<ListStackResourcesResponse> has no <ListStackResourcesResult>');
  const members = child(result, 'StackResourceSummaries')?.children.filter((c) => c.name === 'member') ?? [];
  const token = textOf(result, 'NextToken');
  return {
    summaries: members.map((m) => ({
      LogicalResourceId: textOf(m, 'LogicalResourceId'),
      PhysicalResourceId: textOf(m, 'PhysicalResourceId'),
      ResourceType: textOf(m, 'ResourceType'),
    })),
    nextToken: token === undefined || token === '' ? undefined : token,
  };
}
