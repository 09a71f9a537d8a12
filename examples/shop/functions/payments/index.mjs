// POST /payments: charge the outside payment provider, record the payment.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { log } from '../log.mjs';

// The payment path is latency-sensitive: one retry, not the SDK's default three.
const db = new DynamoDBClient({ maxAttempts: 2 });
const TABLE = process.env.ORDERS_TABLE ?? 'shop-orders';
const PROVIDER = process.env.PAYMENT_PROVIDER_URL;

export const handler = async (event) => {
  const { orderId, amount } = JSON.parse(event.body ?? '{}');
  log.appendKeys({ orderId });
  const res = await fetch(`${PROVIDER}/v1/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk_test_local' },
    body: JSON.stringify({ amount, currency: 'eur', reference: orderId }),
  });
  if (!res.ok) {
    log.warn('provider declined', { orderId, status: res.status });
    return { statusCode: 402, body: JSON.stringify({ error: 'declined' }) };
  }
  const charge = await res.json();
  await db.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { orderId: { S: orderId } },
      UpdateExpression: 'SET chargeId = :c',
      ExpressionAttributeValues: { ':c': { S: charge.id } },
    }),
  );
  log.info('payment captured', { orderId, chargeId: charge.id });
  return { statusCode: 200, body: JSON.stringify({ paymentId: charge.id }) };
};
