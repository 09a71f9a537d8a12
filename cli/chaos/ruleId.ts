// Generated rule ids: short and readable in `chaos list` and in the agent's
// fault logs (`ddb-throttle-3f9a`), unique enough within one scope.
import { randomBytes } from 'node:crypto';

const SERVICE_SHORT: Readonly<Record<string, string>> = {
  dynamodb: 'ddb',
  'secrets-manager': 'secrets',
  secretsmanager: 'secrets',
  eventbridge: 'events',
};

function targetWord(target: string): string {
  if (target === '*') return 'all';
  if (target === 'invocation') return 'invoke';
  const [kind, rest = ''] = splitOnce(target, ':');
  if (kind === 'aws') {
    const [service = 'aws', operation] = rest.split(':');
    const s = service === '*' ? 'aws' : (SERVICE_SHORT[service.toLowerCase()] ?? service);
    return operation && operation !== '*' ? `${s}-${operation}` : s;
  }
  if (kind === 'http') {
    const host = rest.split('/')[0] ?? '';
    const label = host.split('.').find((part) => part !== '' && part !== '*' && part !== 'www');
    return label ?? 'http';
  }
  return 'rule';
}

function faultWord(fault: string, error: string | undefined): string {
  if (fault === 'error' && error) {
    if (/throttl|throughputexceeded|toomanyrequests|slowdown/i.test(error)) return 'throttle';
    return error.replace(/Exception$/, '');
  }
  return ({ latency: 'slow', timeout: 'timeout', corrupt: 'corrupt', respond: 'respond' } as Record<string, string>)[fault] ?? fault;
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** e.g. generateRuleId('aws:dynamodb', 'error', 'ThrottlingException') → `ddb-throttle-3f9a`. */
export function generateRuleId(target: string, fault: string, error?: string, random: () => string = () => randomBytes(2).toString('hex')): string {
  const words = `${targetWord(target)}-${faultWord(fault, error)}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${words || 'rule'}-${random()}`;
}
