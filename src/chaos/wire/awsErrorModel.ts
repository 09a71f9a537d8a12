// Pure: the wire facts a service's Smithy model gives one of its errors (shape
// name, awsQueryError code, HTTP status, client/server fault), looked up by the
// code a rule names — the shape name (`ThrottledException`) or, where the
// service speaks query codes, the awsQueryError code (`Throttled`).
import { AWS_ERROR_MODELS } from './awsErrorTable.js';

export interface ModeledError {
  /** The error shape's name: `__type`, `x-amzn-errortype`, the SDK's exception name. */
  readonly name: string;
  /** The awsQueryError code (the shape name where the model gives none): query XML `Code`, `x-amzn-query-error`. */
  readonly queryCode: string;
  /** From the httpError / awsQueryError traits; undefined where the model gives neither. */
  readonly status: number | undefined;
  readonly fault: 'client' | 'server';
}

export interface ServiceModel {
  readonly namespace: string;
  readonly queryCompatible: boolean;
  readonly byName: ReadonlyMap<string, ModeledError>;
  readonly byQueryCode: ReadonlyMap<string, ModeledError>;
}

const ENTRY = /^([^=:]+)(?:=([^:]+))?:(\d*)([cs])$/;

function parseModel(service: string): ServiceModel | undefined {
  const raw = AWS_ERROR_MODELS[service];
  if (raw === undefined) return undefined;
  const byName = new Map<string, ModeledError>();
  const byQueryCode = new Map<string, ModeledError>();
  for (const entry of raw.errors.split(' ')) {
    const m = ENTRY.exec(entry);
    if (m === null) continue;
    const error: ModeledError = {
      name: m[1]!,
      queryCode: m[2] ?? m[1]!,
      status: m[3] === '' ? undefined : Number(m[3]),
      fault: m[4] === 's' ? 'server' : 'client',
    };
    byName.set(error.name, error);
    if (!byQueryCode.has(error.queryCode)) byQueryCode.set(error.queryCode, error);
  }
  return { namespace: raw.namespace, queryCompatible: raw.queryCompatible, byName, byQueryCode };
}

const parsed = new Map<string, ServiceModel | null>();

/** The service's error model by SigV4 signing name, parsed on first use; undefined for services not in the table. */
export function serviceErrorModel(service: string): ServiceModel | undefined {
  let model = parsed.get(service);
  if (model === undefined) {
    model = (Object.hasOwn(AWS_ERROR_MODELS, service) ? parseModel(service) : undefined) ?? null;
    parsed.set(service, model);
  }
  return model ?? undefined;
}

/** `modeledError` on a model already looked up. */
export function errorInModel(model: ServiceModel | undefined, code: string, speaksQueryCodes: boolean): ModeledError | undefined {
  if (model === undefined) return undefined;
  const byName = model.byName.get(code);
  if (byName !== undefined) return byName;
  return speaksQueryCodes || model.queryCompatible ? model.byQueryCode.get(code) : undefined;
}

/**
 * The modeled error a rule's `code` names on `service`: by shape name, or by
 * awsQueryError code where the service speaks query codes (awsQuery, or JSON /
 * CBOR marked query-compatible), since there that code is what users see.
 */
export function modeledError(service: string, code: string, speaksQueryCodes: boolean): ModeledError | undefined {
  return errorInModel(serviceErrorModel(service), code, speaksQueryCodes);
}

/**
 * The service's own error for an HTTP status injected into its calls, where its
 * model has exactly one that fits: for 429 its throttling error with that status
 * (SNS `ThrottledException`), for a 5xx its server error with that status (SNS
 * `InternalErrorException`, CloudWatch `InternalServiceFault`).
 */
export function modeledErrorForStatus(service: string, status: number): ModeledError | undefined {
  const model = serviceErrorModel(service);
  if (model === undefined || (status !== 429 && status < 500)) return undefined;
  let found: ModeledError | undefined;
  for (const e of model.byName.values()) {
    const fits =
      status === 429
        ? e.status === 429 && /Throttl|TooMany/.test(e.name)
        : e.fault === 'server' && (e.status ?? 500) === status;
    if (!fits) continue;
    if (found !== undefined) return undefined;
    found = e;
  }
  return found;
}
