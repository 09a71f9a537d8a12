// POST /orders: store the order, charge it through the payments function (HTTP),
// then hand fulfilment off asynchronously (Lambda async invoke).
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { log } from '../log.mjs';

const db = new DynamoDBClient({});
const lambda = new LambdaClient({});
const TABLE = process.env.ORDERS_TABLE ?? 'shop-orders';
const API = process.env.SHOP_API_URL;

const reply = (statusCode, body) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = async (event) => {
  let order;
  try {
    order = JSON.parse(event.body ?? '{}');
  } catch {
    return reply(400, { error: 'body must be JSON' });
  }
  if (!order.customerId || !(order.amount > 0)) return reply(400, { error: 'customerId and a positive amount are required' });

  const orderId = randomUUID();
  log.appendKeys({ orderId }); // on every line of this invocation
  log.info('order received', { orderId, customerId: order.customerId, amount: order.amount });
  await db.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        orderId: { S: orderId },
        customerId: { S: order.customerId },
        amount: { N: String(order.amount) },
        status: { S: 'NEW' },
      },
    }),
  );

  const res = await fetch(`${API}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-customer-id': order.customerId },
    body: JSON.stringify({ orderId, amount: order.amount }),
  });
  const payment = await res.json().catch(() => ({}));
  if (res.status !== 200) {
    log.error('payment failed', { orderId, status: res.status, payment });
    return reply(502, { orderId, error: 'payment failed' });
  }

  await db.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { orderId: { S: orderId } },
      UpdateExpression: 'SET #s = :s, paymentId = :p',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'PAID' }, ':p': { S: payment.paymentId } },
    }),
  );
  await lambda.send(
    new InvokeCommand({
      FunctionName: 'fulfilment',
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify({ orderId })),
    }),
  );
  return reply(201, { orderId, paymentId: payment.paymentId });
};
