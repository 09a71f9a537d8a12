// Shared facts about test/fixtures/logs/shop (three functions, one request
// across them, written in Lambda's text and JSON log formats).
import { fileURLToPath } from 'node:url';

export const SHOP_DIR = fileURLToPath(new URL('../fixtures/logs/shop', import.meta.url));
export const FUNCTIONS = ['checkout', 'payments', 'shipping'];
export const TRACE = '5f84c7a10123456789abcdef01234567';
export const XRAY_TRACE = '1-5f84c7a1-0123456789abcdef01234567';
export const CHECKOUT_REQ = 'c1a1b2c3-0000-4000-8000-000000000001';
export const PAYMENTS_REQ = '9e1f0a22-1111-4000-8000-000000000001';
export const SHIPPING_REQ = '5d4c3b2a-2222-4000-8000-000000000001';
/** Unrelated invocations in the same streams. */
export const OTHER_REQS = ['c1a1b2c3-0000-4000-8000-000000000002', '9e1f0a22-1111-4000-8000-000000000002', '5d4c3b2a-2222-4000-8000-000000000002'];
export const ORDER_ID = 'ord-7731';
export const RANGE = { startMs: Date.parse('2026-11-23T00:00:00Z'), endMs: Date.parse('2026-11-24T00:00:00Z') };
export const RANGE_FLAGS = ['--since', '2026-11-23T00:00:00Z', '--until', '2026-11-24T00:00:00Z'];
